using System.Net.Sockets;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>
/// The HTTP client's stream on a tunnel's socket, keeping a copy of what the client reads during the handshake: the
/// client reads in buffer-sized chunks, so bytes the gateway sent after its 101 (a server that speaks first) may sit
/// in the client's buffer. With the copy the tunnel finds them (<see cref="AfterSwitchingProtocols"/>) and takes the
/// socket itself from there, which lets the kernel move its bytes (Tunnel/KernelSplice).
/// </summary>
internal sealed class HandshakeStream(Socket socket) : NetworkStream(socket, ownsSocket: false)
{
    private readonly MemoryStream _seen = new();
    private bool _handshaking = true;

    public override int Read(Span<byte> buffer) => Seen(buffer, base.Read(buffer));

    public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset), base.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await base.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// The bytes read past the 101 response's header block (after any 1xx before it), or null when the copy holds
    /// no complete 101 (then the client's stream is the only way to them).
    /// </summary>
    public byte[]? AfterSwitchingProtocols()
    {
        _handshaking = false;
        var seen = _seen.GetBuffer().AsSpan(0, (int)_seen.Length);
        var start = 0;
        while (true)
        {
            var end = seen[start..].IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                return null;
            }

            var block = seen.Slice(start, end);
            start += end + 4;

            // "HTTP/1.1 101 ..." — the status code follows the version and one space.
            if (block.Length >= 12 && block[..5].SequenceEqual("HTTP/"u8) && block.Slice(9, 3).SequenceEqual("101"u8))
            {
                return seen[start..].ToArray();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        _seen.Dispose();
        base.Dispose(disposing);
    }

    private int Seen(Span<byte> buffer, int read)
    {
        if (_handshaking)
        {
            _seen.Write(buffer[..read]);
        }

        return read;
    }
}
