namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>What a curl command line asked for (the subset of curl this sandbox simulates).</summary>
public sealed class CurlOptions
{
    public List<string> Urls { get; } = [];

    public string? Method { get; set; }

    /// <summary>Request headers in command-line order; a null value removes a default header (<c>-H "Accept:"</c>).</summary>
    public List<KeyValuePair<string, string?>> Headers { get; } = [];

    /// <summary>The <c>-d</c> pieces, joined with <c>&amp;</c> as curl does.</summary>
    public List<string> Data { get; } = [];

    public bool Json { get; set; }

    /// <summary><c>-x</c>: the HTTP proxy to send through (empty: none, overriding the environment).</summary>
    public string? Proxy { get; set; }

    /// <summary><c>--noproxy</c>: hosts reached directly (overrides <c>no_proxy</c>).</summary>
    public string? NoProxy { get; set; }

    public bool Get { get; set; }

    public bool Silent { get; set; }

    public bool ShowError { get; set; }

    public bool Verbose { get; set; }

    public bool Include { get; set; }

    public bool Head { get; set; }

    public bool Fail { get; set; }

    public bool FailWithBody { get; set; }

    public bool FollowRedirects { get; set; }

    public int MaxRedirects { get; set; } = 50;

    public bool Compressed { get; set; }

    public bool Http10 { get; set; }

    /// <summary><c>-o /dev/null</c>: the body is read and thrown away.</summary>
    public bool DiscardBody { get; set; }

    /// <summary><c>-D -</c>: the response headers go to stdout before the body.</summary>
    public bool DumpHeaders { get; set; }

    public string? WriteOut { get; set; }

    public TimeSpan? MaxTime { get; set; }

    public TimeSpan? ConnectTimeout { get; set; }

    public bool Help { get; set; }

    public bool Version { get; set; }

    /// <summary>Errors are printed unless <c>-s</c> without <c>-S</c>.</summary>
    public bool ShowErrors => !Silent || ShowError;
}
