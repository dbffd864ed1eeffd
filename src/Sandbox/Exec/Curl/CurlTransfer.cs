using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>
/// One URL of a curl command: builds the request curl would send, follows redirects with <c>-L</c>, writes headers
/// and body to stdout exactly as received, and maps every failure to curl's exit code and message.
/// </summary>
public sealed partial class CurlTransfer(CurlOptions options, ContainerProcess process)
{
    public const string UserAgent = "curl/8.11.1";

    private const int BufferSize = 16 * 1024;

    private readonly CurlTransferInfo _info = new();
    private Uri? _proxy;

    /// <summary>Runs the transfer; returns curl's exit code (0 on success).</summary>
    public async Task<int> RunAsync(string url, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.MaxTime is { } maxTime)
        {
            deadline.CancelAfter(maxTime);
        }

        try
        {
            await TransferAsync(url, deadline.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Failure(ex, deadline.IsCancellationRequested) is { } failure)
        {
            _info.ExitCode = failure.ExitCode;
            _info.ErrorMessage = failure.Message;
        }

        if (_info.ExitCode != 0 && options.ShowErrors)
        {
            await process.Stderr.WriteLineAsync($"curl: ({_info.ExitCode}) {_info.ErrorMessage}", cancellationToken);
        }

        if (options.WriteOut is { } template)
        {
            var unknown = new List<string>();
            await process.Stdout.WriteAsync(CurlWriteOut.Format(template, _info, unknown), cancellationToken);
            foreach (var name in unknown)
            {
                await process.Stderr.WriteLineAsync($"curl: unknown --write-out variable: '{name}'", cancellationToken);
            }
        }

        return _info.ExitCode;
    }

    private async Task TransferAsync(string url, CancellationToken cancellationToken)
    {
        var uri = Parse(url);
        var body = options.Data.Count == 0 ? null : string.Join('&', options.Data);
        if (options.Get && body is not null)
        {
            uri = new Uri(uri.AbsoluteUri + (uri.Query.Length > 0 ? "&" : "?") + body);
            body = null;
        }

        var method = options.Method ?? (options.Head ? "HEAD" : body is null ? "GET" : "POST");
        _info.Url = uri;
        _proxy = CurlProxy.For(uri, options, process.Environment);
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = options.Compressed ? DecompressionMethods.All : DecompressionMethods.None,
            UseProxy = _proxy is not null,
            Proxy = _proxy is { } proxy ? new WebProxy(proxy) { BypassProxyOnLocal = false } : null,
            ConnectCallback = new CurlConnector(process.Network, options, process.Stderr, _info, _proxy is not null).ConnectAsync,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        while (true)
        {
            _info.Method = method;
            using var request = Request(uri, method, body);
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using (response)
            {
                _info.FirstByte = _info.Elapsed;
                Record(response);
                await VerboseAsync(request, response, cancellationToken);
                var location = response.Headers.Location;
                var status = (int)response.StatusCode;
                if (options.FollowRedirects && location is not null && status is 301 or 302 or 303 or 307 or 308)
                {
                    if (_info.Redirects >= options.MaxRedirects)
                    {
                        throw new CurlException(47, $"Maximum ({options.MaxRedirects}) redirects followed");
                    }

                    await WriteHeadersAsync(response, cancellationToken);
                    uri = new Uri(uri, location);
                    _info.Url = uri;
                    _info.Redirects++;
                    if (status == 303 && method != "HEAD" || status is 301 or 302 && method == "POST")
                    {
                        // As curl does (and browsers): the redirected request becomes a GET without the body.
                        method = "GET";
                        body = null;
                    }

                    continue;
                }

                if (options.Fail && status >= 400)
                {
                    throw new CurlException(22, $"The requested URL returned error: {status}");
                }

                await WriteHeadersAsync(response, cancellationToken);
                if (method != "HEAD")
                {
                    await CopyBodyAsync(response, cancellationToken);
                }

                if (options.FailWithBody && status >= 400)
                {
                    throw new CurlException(22, $"The requested URL returned error: {status}");
                }

                return;
            }
        }
    }

    private static Uri Parse(string url)
    {
        var text = url.Trim();
        if (SchemePattern().Match(text) is { Success: true } match)
        {
            var scheme = match.Groups[1].Value;
            if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                throw new CurlException(1, $"Protocol \"{scheme}\" not supported");
            }
        }
        else
        {
            // curl guesses http:// for a URL without a scheme ("httpbin.httpbin:8080").
            text = "http://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0 && uri.Scheme == Uri.UriSchemeHttp
            ? uri
            : throw new CurlException(3, "URL rejected: Malformed input to a URL function");
    }

    private HttpRequestMessage Request(Uri uri, string method, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), uri)
        {
            Version = options.Http10 ? HttpVersion.Version10 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(options.Json ? "application/json" : "application/x-www-form-urlencoded");
        }

        var named = options.Headers.Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!named.Contains("User-Agent"))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }

        if (!named.Contains("Accept"))
        {
            request.Headers.TryAddWithoutValidation("Accept", options.Json ? "application/json" : "*/*");
        }

        foreach (var (name, value) in options.Headers)
        {
            if (request.Content?.Headers.Contains(name) == true)
            {
                request.Content.Headers.Remove(name);
            }

            if (value is null || request.Headers.TryAddWithoutValidation(name, value))
            {
                continue;
            }

            // A content header (Content-Type, ...): it travels with the body.
            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private void Record(HttpResponseMessage response)
    {
        _info.StatusCode = (int)response.StatusCode;
        _info.HttpVersion = response.Version.Minor == 0 ? response.Version.Major.ToString(CultureInfo.InvariantCulture) : response.Version.ToString(2);
        _info.ContentType = response.Content.Headers.ContentType?.ToString();
        _info.RedirectUrl = response.Headers.Location is { } location && _info.Url is { } current ? new Uri(current, location).AbsoluteUri : null;
        _info.ResponseHeaders.Clear();
        foreach (var (name, values) in Headers(response))
        {
            _info.ResponseHeaders[name] = string.Join(", ", values);
        }

        _info.HeaderBytes += Encoding.UTF8.GetByteCount(HeaderBlock(response));
    }

    private async Task WriteHeadersAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (options.Include || options.Head || options.DumpHeaders)
        {
            await process.Stdout.WriteAsync(HeaderBlock(response), cancellationToken);
        }
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            _info.BytesDownloaded += read;
            if (!options.DiscardBody)
            {
                await process.Stdout.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
    }

    private async Task VerboseAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!options.Verbose)
        {
            return;
        }

        var text = new StringBuilder();
        var target = _proxy is null ? request.RequestUri!.PathAndQuery : request.RequestUri!.AbsoluteUri;
        text.Append(CultureInfo.InvariantCulture, $"> {request.Method} {target} HTTP/{request.Version.ToString(2)}\n");
        text.Append(CultureInfo.InvariantCulture, $"> Host: {request.Headers.Host ?? request.RequestUri.Authority}\n");
        foreach (var (name, values) in request.Headers.NonValidated.Where(h => !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            .Concat(request.Content?.Headers.NonValidated ?? []))
        {
            text.Append(CultureInfo.InvariantCulture, $"> {name}: {string.Join(", ", values)}\n");
        }

        text.Append(">\n");
        foreach (var line in HeaderBlock(response).Split("\r\n"))
        {
            text.Append("< ").Append(line).Append('\n');
        }

        await process.Stderr.WriteAsync(text.ToString().TrimEnd(' ', '\n') + "\n", cancellationToken);
    }

    private static string HeaderBlock(HttpResponseMessage response)
    {
        var text = new StringBuilder();
        text.Append(FormattableString.Invariant($"HTTP/{response.Version.ToString(2)} {(int)response.StatusCode} {response.ReasonPhrase}").TrimEnd()).Append("\r\n");
        foreach (var (name, values) in Headers(response))
        {
            foreach (var value in values)
            {
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return text.Append("\r\n").ToString();
    }

    private static IEnumerable<(string Name, IEnumerable<string> Values)> Headers(HttpResponseMessage response) =>
        response.Headers.NonValidated.Select(h => (h.Key, (IEnumerable<string>)h.Value))
            .Concat(response.Content.Headers.NonValidated.Select(h => (h.Key, (IEnumerable<string>)h.Value)));

    /// <summary>Curl's exit code and message for what went wrong; null for what is not a transfer failure.</summary>
    private CurlException? Failure(Exception ex, bool timedOut)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is CurlException curl)
            {
                return curl;
            }
        }

        if (timedOut && ex is OperationCanceledException or HttpRequestException or IOException)
        {
            return new CurlException(28, $"Operation timed out after {(long)_info.Elapsed.TotalMilliseconds} milliseconds with {_info.BytesDownloaded} bytes received");
        }

        return ex switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } when _info.StatusCode == 0 => new CurlException(52, "Empty reply from server"),
            HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => new CurlException(8, "Weird server reply"),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => new CurlException(7, $"Failed to connect to {_info.Url?.Host} port {_info.Url?.Port}: Couldn't connect to server"),
            HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } => new CurlException(18, "transfer closed with outstanding read data remaining"),
            HttpRequestException or IOException => new CurlException(56, $"Recv failure: {ex.Message}"),
            _ => null,
        };
    }

    // A scheme is a word before ':' that is not followed by a port number ("file:/etc/passwd", "https://...").
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex SchemePattern();
}
