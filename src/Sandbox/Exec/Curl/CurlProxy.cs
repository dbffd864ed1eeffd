namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>
/// Which proxy curl sends a URL through, as curl decides it: <c>-x</c> first (an empty one means none), else the
/// environment: <c>http_proxy</c> for http URLs (lowercase only: curl ignores <c>HTTP_PROXY</c>, see "httpoxy"),
/// <c>https_proxy</c>/<c>HTTPS_PROXY</c> for https, <c>all_proxy</c>/<c>ALL_PROXY</c> for either; unless the host
/// is in <c>--noproxy</c> or <c>no_proxy</c>/<c>NO_PROXY</c>. No setting, no proxy: the sandbox never sends a
/// container's requests through a proxy the container was not told about.
/// </summary>
public static class CurlProxy
{
    public static Uri? For(Uri url, CurlOptions options, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var https = url.Scheme == Uri.UriSchemeHttps;
        var configured = options.Proxy
            ?? (https ? Env(environment, "https_proxy") ?? Env(environment, "HTTPS_PROXY") : Env(environment, "http_proxy"))
            ?? Env(environment, "all_proxy") ?? Env(environment, "ALL_PROXY");
        if (string.IsNullOrWhiteSpace(configured) || Bypassed(url.IdnHost, options.NoProxy ?? Env(environment, "no_proxy") ?? Env(environment, "NO_PROXY")))
        {
            return null;
        }

        var text = configured.Contains("://", StringComparison.Ordinal) ? configured : "http://" + configured;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var proxy) || proxy.Scheme != Uri.UriSchemeHttp)
        {
            throw new CurlException(5, $"Unsupported proxy '{configured}', libcurl is built without the HTTPS-proxy support.");
        }

        // curl's default proxy port.
        return proxy.IsDefaultPort && !text.Contains(":" + proxy.Port, StringComparison.Ordinal) ? new UriBuilder(proxy) { Port = 1080 }.Uri : proxy;
    }

    private static bool Bypassed(string host, string? noProxy)
    {
        if (string.IsNullOrWhiteSpace(noProxy))
        {
            return false;
        }

        foreach (var raw in noProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = raw.TrimStart('.');
            if (raw == "*" || host.Equals(entry, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Env(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
