using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// DNS over TCP (RFC 7766: two-byte length prefix, several queries per connection) for ARSoft.Tools.Net's
/// <see cref="DnsServer"/>, binding once and reporting the bound address (see <see cref="UdpDnsTransport"/>).
/// </summary>
internal sealed class TcpDnsTransport(IPEndPoint endPoint, TimeSpan timeout, TimeSpan idle) : IServerTransport
{
    private readonly TcpListener _listener = Create(endPoint);
    private bool _bound;

    public ushort DefaultAllowedResponseSize => ushort.MaxValue;

    public bool SupportsMultipleResponses => true;

    public bool AllowTruncatedResponses => false;

    public TransportProtocol TransportProtocol => TransportProtocol.Tcp;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Bound on reading the rest of a started query and on writing an answer.</summary>
    private TimeSpan Timeout => timeout;

    /// <summary>How long a connection may wait for its next query.</summary>
    private TimeSpan Idle => idle;

    public void Bind()
    {
        if (!_bound)
        {
            _listener.Start();
            _bound = true;
        }
    }

    public void Close() => _listener.Stop();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        TcpClient client;
        try
        {
            client = await _listener.AcceptTcpClientAsync(token);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            return null;
        }

        // The server's accept loop is async void: anything thrown here would end the process (a client that is
        // gone before its endpoints are read, say).
        try
        {
            client.NoDelay = true;
            return new Connection(this, client);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            client.Dispose();
            return null;
        }
    }

    public void Dispose() => _listener.Dispose();

    private static TcpListener Create(IPEndPoint endPoint)
    {
        var listener = new TcpListener(endPoint);
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            // [::]:port answers IPv4 too, as the IPv6 wildcard does for Kestrel.
            listener.Server.DualMode = true;
        }
        return listener;
    }

    private sealed class Connection(TcpDnsTransport transport, TcpClient client) : IServerConnection
    {
        private readonly NetworkStream _stream = client.GetStream();
        private readonly IPEndPoint _remote = (IPEndPoint)client.Client.RemoteEndPoint!;
        private readonly IPEndPoint _local = (IPEndPoint)client.Client.LocalEndPoint!;
        private readonly SemaphoreSlim _writing = new(1, 1);
        private int _closed;

        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => _remote;

        public IPEndPoint LocalEndPoint => _local;

        public bool CanRead => Volatile.Read(ref _closed) == 0;

        public Task<bool> InitializeAsync(CancellationToken token = default) => Task.FromResult(true);

        public async Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token = default)
        {
            try
            {
                var header = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH];

                // An idle client may wait this long between queries; a started message must finish within the timeout.
                if (!await ReadAsync(header, transport.Idle, token))
                {
                    Close();
                    return null;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                var package = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + length];
                header.CopyTo(package, 0);
                if (length < UdpDnsTransport.HeaderSize || !await ReadAsync(package.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), transport.Timeout, token))
                {
                    Close();
                    return null;
                }

                return new DnsReceivedRawPackage(package, _remote, _local);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Close();
                return null;
            }
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token = default)
        {
            // Answers to pipelined queries are written whole, one at a time.
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token);
                bounded.CancelAfter(transport.Timeout);
                await _writing.WaitAsync(bounded.Token);
                try
                {
                    await _stream.WriteAsync(package.ToArraySegment(true), bounded.Token);
                    return true;
                }
                finally
                {
                    _writing.Release();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Close();
                return false;
            }
        }

        // The server never disposes a connection whose client went away (its reference count keeps one for the
        // read that found the end), so the connection closes itself then.
        public void Dispose() => Close();

        private void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                client.Dispose();
            }
        }

        private async Task<bool> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken token)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token);
            bounded.CancelAfter(timeout);
            try
            {
                await _stream.ReadExactlyAsync(buffer, bounded.Token);
                return true;
            }
            catch (EndOfStreamException)
            {
                return false;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
