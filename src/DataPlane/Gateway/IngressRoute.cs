using ErieCanal.Orleans.DataPlane.MemberView;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>One path of one Ingress rule, resolved to the ready pods behind its backend Service port.</summary>
public sealed record IngressRoute(
    string Ingress,
    string? Host,
    string Path,
    IngressPathType PathType,
    PathRewrite? Rewrite,
    string ClusterId,
    IReadOnlyList<PodEndpoint> Endpoints)
{
    /// <summary>Kubernetes path semantics: case-sensitive; Prefix matches whole path elements.</summary>
    public bool MatchesPath(string requestPath)
    {
        if (PathType == IngressPathType.Exact)
        {
            return string.Equals(requestPath, Path, StringComparison.Ordinal);
        }

        var prefix = Path.TrimEnd('/');
        return prefix.Length == 0
            || string.Equals(requestPath, prefix, StringComparison.Ordinal)
            || (requestPath.StartsWith(prefix, StringComparison.Ordinal) && requestPath.Length > prefix.Length && requestPath[prefix.Length] == '/');
    }

    /// <summary>An exact host, or a wildcard "*.example.com" matching exactly one more label; no host matches all.</summary>
    public bool MatchesHost(string requestHost)
    {
        if (Host is null)
        {
            return true;
        }

        if (Host.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = Host[1..];
            return requestHost.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && requestHost.Length > suffix.Length
                && !requestHost[..^suffix.Length].Contains('.', StringComparison.Ordinal);
        }

        return string.Equals(Host, requestHost, StringComparison.OrdinalIgnoreCase);
    }
}
