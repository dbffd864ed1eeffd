using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// The Kubernetes streaming protocol over one WebSocket (<c>v4.channel.k8s.io</c> / <c>v5.channel.k8s.io</c>): every
/// binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize, 255 close in v5).
/// Writes are serialised (one writer at a time); a reader drains what the client sends (stdin, resizes, close
/// signals, pings) so control frames get answered, and notices when the client goes away.
/// </summary>
public sealed class ExecChannels : IAsyncDisposable
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";

    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte ErrorChannel = 3;
    private const int MaxFrame = 32 * 1024;
    private const byte CloseSignal = 255;

    /// <summary>
    /// How long after the upgrade the first frame waits. kubectl 1.32's WebSocket executor starts reading before it
    /// has created its streams: a frame that arrives first is discarded ("Unknown stream id") and a close that arrives
    /// first fails the exec ("error: closed all streams", exit 1). A real container takes longer than this to start;
    /// the sandbox's programs answer at once (a name that does not resolve, in microseconds), which lost that race
    /// under load.
    /// </summary>
    public static readonly TimeSpan StartupTime = TimeSpan.FromMilliseconds(100);

    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _clientGone;
    private readonly Task _reader;
    private readonly TimeProvider _time;
    private readonly long _accepted;
    private readonly Channel<byte[]> _stdin = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private bool _started;

    public ExecChannels(WebSocket socket, ExecRequest request, CancellationToken requestAborted, TimeProvider? time = null)
    {
        _socket = socket;
        _time = time ?? TimeProvider.System;
        _accepted = _time.GetTimestamp();
        _clientGone = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        Stdout = !request.Stdout ? ProcessOutput.Discard
            : request.Tty ? new ProcessOutput((d, ct) => SendAsync(StdoutChannel, Terminal(d), ct))
            : new ProcessOutput((d, ct) => SendAsync(StdoutChannel, d, ct));

        // With a TTY there is no separate stderr stream: a terminal shows both on one.
        Stderr = request.Tty ? Stdout : request.Stderr ? new ProcessOutput((d, ct) => SendAsync(StderrChannel, d, ct)) : ProcessOutput.Discard;
        _reader = DrainAsync();
    }

    /// <summary>The subprotocols this server speaks, best first.</summary>
    public static IReadOnlyList<string> Protocols { get; } = [V5, V4];

    public ProcessOutput Stdout { get; }

    public ProcessOutput Stderr { get; }

    /// <summary>What the client sends on stdin, completed when it closes stdin (v5) or goes away.</summary>
    public ChannelReader<byte[]> Stdin => _stdin.Reader;

    /// <summary>Cancelled when the client closes the connection or goes away: the process is stopped.</summary>
    public CancellationToken ClientGone => _clientGone.Token;

    /// <summary>Writes the final status on the error channel and closes the connection normally.</summary>
    public async Task FinishAsync(JsonObject status, CancellationToken cancellationToken)
    {
        await SendAsync(ErrorChannel, System.Text.Encoding.UTF8.GetBytes(status.ToJsonString()), cancellationToken);
        await _send.WaitAsync(cancellationToken);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
        }
        finally
        {
            _send.Release();
        }

        // Give the client a moment to answer the close handshake before the connection is dropped.
        await _reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _clientGone.CancelAsync();
        await _reader.ContinueWith(_ => { }, TaskScheduler.Default);
        _clientGone.Dispose();
        _send.Dispose();
    }

    private async ValueTask SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(data.Length, MaxFrame) + 1);
        await _send.WaitAsync(cancellationToken);
        try
        {
            await StartedAsync(cancellationToken);
            do
            {
                var chunk = data[..Math.Min(data.Length, MaxFrame)];
                buffer[0] = channel;
                chunk.CopyTo(buffer.AsMemory(1));
                await _socket.SendAsync(buffer.AsMemory(0, chunk.Length + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                data = data[chunk.Length..];
            }
            while (!data.IsEmpty);
        }
        finally
        {
            _send.Release();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits out <see cref="StartupTime"/> before the first frame (called under the send lock).</summary>
    private async ValueTask StartedAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        var remaining = StartupTime - _time.GetElapsedTime(_accepted);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken);
        }

        _started = true;
    }

    /// <summary>What a terminal's line discipline does to output (ONLCR): every newline becomes CR LF.</summary>
    private static ReadOnlyMemory<byte> Terminal(ReadOnlyMemory<byte> data)
    {
        var newlines = data.Span.Count((byte)'\n');
        if (newlines == 0)
        {
            return data;
        }

        var output = new byte[data.Length + newlines];
        var at = 0;
        foreach (var b in data.Span)
        {
            if (b == '\n')
            {
                output[at++] = (byte)'\r';
            }

            output[at++] = b;
        }

        return output;
    }

    private async Task DrainAsync()
    {
        await Task.Yield();
        var buffer = new byte[4096];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                // Stdin goes to whoever reads Stdin (a real container's process; simulated programs read none);
                // resize messages are ignored; a v5 close signal for channel 0 ends stdin.
                var result = await _socket.ReceiveAsync(buffer, _clientGone.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var frame = message.ToArray();
                message.SetLength(0);
                if (frame.Length > 1 && frame[0] == StdinChannel)
                {
                    _stdin.Writer.TryWrite(frame[1..]);
                }
                else if (frame.Length > 1 && frame[0] == CloseSignal && frame[1] == StdinChannel)
                {
                    _stdin.Writer.TryComplete();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away; nothing left to read.
        }

        _stdin.Writer.TryComplete();
        await _clientGone.CancelAsync();
    }
}
