using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// DNS over UDP for ARSoft.Tools.Net's <see cref="DnsServer"/>, like its own UdpServerTransport but binding once
/// and reporting the bound address, so port 0 can be asked for (tests, several members on one machine) and the
/// TCP transport can take the same port. Answers over 512 bytes (or the client's EDNS size) are truncated by the
/// server, and the client retries over TCP.
/// </summary>
internal sealed class UdpDnsTransport(IPEndPoint endPoint) : IServerTransport
{
    // Queries with EDNS options can exceed 512 bytes; nothing legitimate exceeds this.
    private const int MaxQuerySize = 4096;

    /// <summary>RFC 1035 §4.1.1: id, flags and four counts.</summary>
    internal const int HeaderSize = 12;

    private readonly Socket _socket = Create(endPoint);
    private bool _bound;

    public ushort DefaultAllowedResponseSize => 512;

    public bool SupportsMultipleResponses => false;

    public bool AllowTruncatedResponses => true;

    public TransportProtocol TransportProtocol => TransportProtocol.Udp;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Bind()
    {
        if (!_bound)
        {
            _socket.Bind(endPoint);
            _bound = true;
        }
    }

    public void Close() => _socket.Close();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + MaxQuerySize];
        var any = new IPEndPoint(endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), SocketFlags.None, any, token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The server's accept loop asks again until it is stopped.
                return null;
            }

            // The server's accept loop is async void: anything thrown here would end the process. A datagram
            // shorter than a DNS header cannot be answered, and one the library cannot read is dropped the same way.
            if (received.ReceivedBytes < HeaderSize)
            {
                continue;
            }

            try
            {
                var package = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + received.ReceivedBytes];
                Array.Copy(buffer, package, package.Length);
                BinaryPrimitives.WriteUInt16BigEndian(package, (ushort)received.ReceivedBytes);
                return new Connection(this, new DnsReceivedRawPackage(package, (IPEndPoint)received.RemoteEndPoint, LocalEndPoint));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                continue;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    // [::]:port answers IPv4 too, as the IPv6 wildcard does for Kestrel.
    private static Socket Create(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        return socket;
    }

    /// <summary>One datagram: one query, one answer.</summary>
    private sealed class Connection(UdpDnsTransport transport, DnsReceivedRawPackage query) : IServerConnection
    {
        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => query.RemoteEndpoint;

        public IPEndPoint LocalEndPoint => query.LocalEndpoint;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token = default) => Task.FromResult(true);

        public Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token = default)
        {
            CanRead = false;
            return Task.FromResult<DnsReceivedRawPackage?>(query);
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token = default)
        {
            try
            {
                var sent = await transport._socket.SendToAsync(package.ToArraySegment(false), SocketFlags.None, query.RemoteEndpoint, token);
                return sent == package.Length;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
        }
    }
}
