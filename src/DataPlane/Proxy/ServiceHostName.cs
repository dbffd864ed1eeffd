namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>The cluster DNS names of a Service: svc.ns, svc.ns.svc and svc.ns.svc.&lt;cluster domain&gt;.</summary>
public static class ServiceHostName
{
    /// <summary>The Service a host name names, or null (a bare name, an IP, anything outside the cluster's names).</summary>
    public static (string Namespace, string Name)? Parse(string host, string clusterDomain)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        var full = ".svc." + clusterDomain.ToLowerInvariant();
        if (name.EndsWith(full, StringComparison.Ordinal))
        {
            name = name[..^full.Length];
        }
        else if (name.EndsWith(".svc", StringComparison.Ordinal))
        {
            name = name[..^".svc".Length];
        }

        var labels = name.Split('.');
        return labels is [{ Length: > 0 } service, { Length: > 0 } ns] && IsLabel(service) && IsLabel(ns) ? (ns, service) : null;
    }

    // RFC 1123 labels, as Service and namespace names are.
    private static bool IsLabel(string label) =>
        label.Length <= 63 && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
