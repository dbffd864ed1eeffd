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

        if (!Uri.TryCreate(listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"'{listen}' is not an http:// URL such as http://127.0.0.1:8080";
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            return $"'{listen}' must not carry a path or query";
        }

        return null;
    }
}
