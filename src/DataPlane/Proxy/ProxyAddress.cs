namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Where one attempt goes: a remote gateway (with the path to prepend) or a local pod (path unchanged).</summary>
/// <remarks>The derived strings are computed once, when the routing table is built, never per request.</remarks>
public sealed record ProxyAddress(string Host, int Port, string PathPrefix, bool Local)
{
    public string Authority { get; } = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The cluster key of the routing endpoint it serves: the <c>cluster</c> label of the data-plane metrics.</summary>
    public string ClusterKey { get; init; } = "";

    /// <summary>Identifies the address among a request's attempts and in the outlier detector.</summary>
    public string Key { get; } = (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}") + PathPrefix;

    /// <summary>http://authority, the forwarder's destination prefix.</summary>
    public string Origin { get; } = "http://" + (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}");

    private string TrimmedPrefix { get; } = PathPrefix.TrimEnd('/');

    /// <summary>The endpoint's path before the request's: "/httpbin" + "/get?a=1" = "/httpbin/get?a=1"; "/httpbin" + "/" = "/httpbin/".</summary>
    public string PathFor(string pathAndQuery) => TrimmedPrefix.Length == 0 ? pathAndQuery : TrimmedPrefix + pathAndQuery;

    /// <summary>The absolute URI an attempt sends <paramref name="pathAndQuery"/> to.</summary>
    public Uri UriFor(string pathAndQuery) => new(string.Concat(Origin, TrimmedPrefix, pathAndQuery), UriKind.Absolute);
}
