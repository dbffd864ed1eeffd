using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>HTTP/1.1 over one plain socket, to see keep-alive and connection-level behaviour HttpClient hides.</summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawHttp(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<RawHttp> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endPoint);
        return new RawHttp(tcp);
    }

    /// <summary>One GET on a new connection; (0, what went wrong) when it fails, for probes that wait for an answer.</summary>
    public static async Task<(int Status, string Body)> TryGetAsync(IPEndPoint endPoint, string path)
    {
        try
        {
            await using var http = await ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(5));
            await http.SendGetAsync(path, endPoint.Address.ToString());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await http.ReadResponseAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or OperationCanceledException)
        {
            return (0, ex.Message);
        }
    }

    /// <summary>Sends <paramref name="text"/> as it is (a request head written by hand).</summary>
    public Task SendRawAsync(string text) => _stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public Task SendGetAsync(string path = "/", string host = "test") =>
        _stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n")).AsTask();

    /// <summary>Reads one response with a Content-Length or chunked body: (status, body).</summary>
    public async Task<(int Status, string Body)> ReadResponseAsync(CancellationToken cancellationToken = default)
    {
        var statusLine = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("connection closed before a response");
        var length = 0;
        var chunked = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { Length: > 0 } header)
        {
            if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }

            chunked |= header.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && header.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        }

        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        if (chunked)
        {
            var all = new StringBuilder();
            while (true)
            {
                var size = Convert.ToInt32((await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("connection closed inside a body")).Split(';')[0].Trim(), 16);
                all.Append(await ReadCharsAsync(size + 2, cancellationToken), 0, size);
                if (size == 0)
                {
                    return (status, all.ToString());
                }
            }
        }

        return (status, new string(await ReadCharsAsync(length, cancellationToken)));
    }

    private async Task<char[]> ReadCharsAsync(int length, CancellationToken cancellationToken)
    {
        var body = new char[length];
        var read = 0;
        while (read < length)
        {
            var n = await _reader.ReadAsync(body.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException("connection closed inside a body");
            }

            read += n;
        }

        return body;
    }

    public async Task<(int Status, string Body)> GetAsync(string path = "/")
    {
        await SendGetAsync(path);
        return await ReadResponseAsync();
    }

    /// <summary>Completes when the peer closes the connection (EOF or reset).</summary>
    public async Task<bool> ClosedAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var buffer = new byte[256];
            while (await _stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
