namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>The cluster DNS names of a Service: svc.ns, svc.ns.svc and svc.ns.svc.&lt;cluster domain&gt;.</summary>
public static class ServiceHostName
{
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
