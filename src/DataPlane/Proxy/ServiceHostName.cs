namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The DNS names of a Service: svc.ns, svc.ns.svc, svc.ns.svc.&lt;cluster domain&gt; and, for an imported service,
/// svc.ns.svc.clusterset.local (KEP-1645).
/// </summary>
public static class ServiceHostName
{
    public const string ClustersetDomain = "clusterset.local";

    /// <summary>The Service a host name names in the cluster's names or in <see cref="ClustersetDomain"/>, or null.</summary>
    public static (string Namespace, string Name)? ParseAny(string host, string clusterDomain) =>
        Parse(host, clusterDomain) ?? Parse(host, ClustersetDomain);

    /// <summary>True for a single DNS label (a bare Service name, which only a pod's search path completes).</summary>
    public static bool IsBareName(string host) => host.IndexOf('.', StringComparison.Ordinal) < 0 && IsLabel(host.AsSpan());

    /// <summary>The Service a host name names, or null (a bare name, an IP, anything outside the cluster's names).</summary>
    /// <remarks>Works on spans: the only allocations are the two names it returns (per request on the proxy's path).</remarks>
    public static (string Namespace, string Name)? Parse(string host, string clusterDomain)
    {
        var name = host.AsSpan().TrimEnd('.');
        if (name.Length > clusterDomain.Length + ".svc.".Length
            && name.EndsWith(clusterDomain, StringComparison.OrdinalIgnoreCase)
            && name[..^clusterDomain.Length].EndsWith(".svc.", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^(clusterDomain.Length + ".svc.".Length)];
        }
        else if (name.EndsWith(".svc", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^".svc".Length];
        }

        var dot = name.IndexOf('.');
        if (dot < 0)
        {
            return null;
        }

        var service = name[..dot];
        var ns = name[(dot + 1)..];
        return IsLabel(service) && IsLabel(ns) ? (Lower(ns), Lower(service)) : null;
    }

    // RFC 1123 labels, as Service and namespace names are (case-insensitive, as DNS is).
    private static bool IsLabel(ReadOnlySpan<char> label)
    {
        if (label.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string Lower(ReadOnlySpan<char> label) =>
        label.ContainsAnyInRange('A', 'Z') ? label.ToString().ToLowerInvariant() : label.ToString();
}
