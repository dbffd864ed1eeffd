using System.Globalization;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// An absolute-form request target (RFC 9112 §3.2.2) as an explicit HTTP proxy receives it:
/// <c>GET http://httpbin.httpbin:8080/get?a=1 HTTP/1.1</c>, or an origin-form one and its Host header as a transparent
/// hop receives them (<see cref="FromOriginForm"/>). The path and query are kept as sent, not re-encoded.
/// </summary>
public sealed record ProxyRequestTarget(string Host, int Port, string Authority, string PathAndQuery)
{
    /// <summary>
    /// An origin-form request (<c>GET /get HTTP/1.1</c>, <c>Host: httpbin.httpbin:8080</c>) as it arrives through a
    /// derived Service: the Host names the Service and its port (80 when it names none, as the URL it came from).
    /// </summary>
    public static ProxyRequestTarget? FromOriginForm(string rawTarget, string? host, out string? problem)
    {
        if (string.IsNullOrEmpty(host))
        {
            problem = "an origin-form request needs a Host header naming the Service (svc.ns[:port]), or send the absolute URL through the proxy (curl -x <proxy> http://svc.ns:port/)";
            return null;
        }

        return Parse($"http://{host}{rawTarget}", out problem);
    }

    /// <summary>Parses <paramref name="rawTarget"/>; on failure <paramref name="problem"/> says what is wrong, for a 400.</summary>
    public static ProxyRequestTarget? Parse(string rawTarget, out string? problem)
    {
        problem = null;
        var schemeEnd = rawTarget.IndexOf("://", StringComparison.Ordinal);
        if (rawTarget.StartsWith('/') || schemeEnd <= 0)
        {
            problem = "this is an HTTP proxy: send the absolute URL (curl -x <proxy> http://svc.ns:port/ or http_proxy=<proxy>), not a path";
            return null;
        }

        var scheme = rawTarget[..schemeEnd];
        if (string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase))
        {
            problem = "https:// is not supported through this proxy: send plain http:// requests (TLS between clusters is not part of this data plane)";
            return null;
        }

        if (!string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            problem = $"scheme '{scheme}' is not supported: send http:// requests";
            return null;
        }

        var rest = rawTarget[(schemeEnd + 3)..];
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var pathAndQuery = authorityEnd < 0 ? "/" : rest[authorityEnd..];
        var fragment = pathAndQuery.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            pathAndQuery = pathAndQuery[..fragment];
        }

        if (!pathAndQuery.StartsWith('/'))
        {
            pathAndQuery = "/" + pathAndQuery;
        }

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            problem = "user information in the URL is not supported";
            return null;
        }

        string host;
        string? portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = $"malformed host in '{authority}'";
                return null;
            }

            host = authority[1..close];
            portText = authority.Length > close + 1 && authority[close + 1] == ':' ? authority[(close + 2)..] : null;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            problem = "the URL names no host";
            return null;
        }

        var port = 80;
        if (!string.IsNullOrEmpty(portText) && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"port '{portText}' is not a number from 1 to 65535";
            return null;
        }

        return new ProxyRequestTarget(host.ToLowerInvariant(), port, authority, pathAndQuery);
    }
}
