using System.Globalization;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>Resource quantities (<c>500m</c>, <c>128Mi</c>, <c>1e3</c>, <c>2</c>) as numbers, for resourceFieldRef.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1_000_000m), ("G", 1_000_000_000m),
        ("T", 1_000_000_000_000m), ("P", 1_000_000_000_000_000m), ("E", 1_000_000_000_000_000_000m),
    ];

    public static decimal Parse(string text)
    {
        var value = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return number * factor;
            }
        }

        return decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
