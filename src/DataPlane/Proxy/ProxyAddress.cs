namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Where one attempt goes: a remote gateway (with the path to prepend) or a local pod (path unchanged).</summary>
public sealed record ProxyAddress(string Host, int Port, string PathPrefix, bool Local)
{
    public string Authority => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Identifies the address among a request's attempts and in the unreachable marks.</summary>
    public string Key => Authority + PathPrefix;

    /// <summary>The endpoint's path before the request's: "/httpbin" + "/get?a=1" = "/httpbin/get?a=1"; "/httpbin" + "/" = "/httpbin/".</summary>
    public string PathFor(string pathAndQuery) => PathPrefix.TrimEnd('/') + pathAndQuery;
}
