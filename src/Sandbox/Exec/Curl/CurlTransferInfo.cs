using System.Diagnostics;

namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>What one transfer measured, for <c>-w/--write-out</c>.</summary>
public sealed class CurlTransferInfo
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Uri? Url { get; set; }

    public string Method { get; set; } = "GET";

    public int StatusCode { get; set; }

    public string HttpVersion { get; set; } = "0";

    public string? ContentType { get; set; }

    public string? RedirectUrl { get; set; }

    public long BytesDownloaded { get; set; }

    public long HeaderBytes { get; set; }

    public int Redirects { get; set; }

    public string RemoteIp { get; set; } = "";

    public int RemotePort { get; set; }

    public int ExitCode { get; set; }

    public string ErrorMessage { get; set; } = "";

    public TimeSpan Connected { get; set; }

    public TimeSpan FirstByte { get; set; }

    /// <summary>The last response's headers (name -> values), for <c>%{header{name}}</c>.</summary>
    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Elapsed => _clock.Elapsed;
}
