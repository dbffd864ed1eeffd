namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>The one listen URL form the data plane takes: http://host:port (host an IP literal, localhost or *).</summary>
public static class ListenAddress
{
    /// <summary>Null when <paramref name="listen"/> is usable, else why not.</summary>
    public static string? Describe(string? listen)
    {
        if (string.IsNullOrWhiteSpace(listen))
        {
            return "must be set, e.g. http://127.0.0.1:0";
        }

        if (!Uri.TryCreate(Wildcard(listen), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"'{listen}' is not an http:// URL such as http://127.0.0.1:8080";
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            return $"'{listen}' must not carry a path or query";
        }

        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && !uri.IsLoopback)
        {
            return $"'{listen}' must name an IP address, localhost or * as its host";
        }

        return null;
    }

    /// <summary>The address and port of a usable (see <see cref="Describe"/>) listen URL; * is IPv4 any, localhost a null address.</summary>
    public static (System.Net.IPAddress? Address, int Port) Parse(string listen)
    {
        var uri = new Uri(Wildcard(listen), UriKind.Absolute);
        var address = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 ? System.Net.IPAddress.Parse(uri.Host.Trim('[', ']')) : null;
        return (address, uri.Port);
    }

    private static string Wildcard(string listen) =>
        listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
}
