using System.Globalization;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>One point of the curve: member clusters × services (each service exported from one member, imported in all).</summary>
public sealed record ScaleSize(int Members, int Services)
{
    public long Imports => (long)Members * Services;

    /// <summary>Parses "10x1000" (members x services).</summary>
    public static bool TryParse(string text, out ScaleSize size)
    {
        var parts = text.Split('x', 'X', '×');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var members) && members > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var services) && services > 0)
        {
            size = new ScaleSize(members, services);
            return true;
        }

        size = new ScaleSize(0, 0);
        return false;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Members} x {Services}");
}
