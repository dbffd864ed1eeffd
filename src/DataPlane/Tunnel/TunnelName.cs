using System.Globalization;

namespace ErieCanal.Orleans.DataPlane.Tunnel;

/// <summary>The service port a tunnel names in <see cref="DataPlaneHeaders.Tunnel"/>: <c>svc.ns:port</c>.</summary>
public sealed record TunnelName(string Namespace, string Name, int Port)
{
    public override string ToString() => $"{Name}.{Namespace}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Null unless <paramref name="text"/> is exactly <c>svc.ns:port</c> (two DNS labels and a port).</summary>
    public static TunnelName? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        var labels = text[..colon].ToLowerInvariant().Split('.');
        if (labels.Length != 2)
        {
            return null;
        }

        var (name, ns) = (labels[0], labels[1]);
        return IsLabel(name) && IsLabel(ns) ? new TunnelName(ns, name, port) : null;
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
