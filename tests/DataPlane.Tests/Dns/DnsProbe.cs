using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>
/// A bare DNS client over real sockets: writes the query bytes itself (no EDNS, so UDP answers are capped at 512
/// bytes) and parses answers with ARSoft.Tools.Net, never retrying over TCP, so tests see exactly what each transport sends.
/// </summary>
public static class DnsProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static int _nextId = 1;

    public static async Task<DnsMessage> UdpAsync(IPEndPoint server, string name, RecordType type)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        await socket.SendAsync(Encode(name, type, out var id));
        var buffer = new byte[65535];
        using var timeout = new CancellationTokenSource(Timeout);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var response = DnsMessage.Parse(new ArraySegment<byte>(buffer, 0, received));
        Assert.Equal(id, response.TransactionID);
        return response;
    }

    public static async Task<DnsMessage> TcpAsync(IPEndPoint server, string name, RecordType type)
    {
        using var client = new TcpClient(server.AddressFamily);
        using var timeout = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(server, timeout.Token);
        var stream = client.GetStream();
        var query = Encode(name, type, out var id);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, timeout.Token);
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, timeout.Token);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(body, timeout.Token);
        var response = DnsMessage.Parse(new ArraySegment<byte>(body));
        Assert.Equal(id, response.TransactionID);
        return response;
    }

    /// <summary>Sends every query on one TCP connection before reading (RFC 7766 pipelining); the answers by query, in any order.</summary>
    public static async Task<List<DnsMessage>> TcpPipelinedAsync(IPEndPoint server, params (string Name, RecordType Type)[] queries)
    {
        using var client = new TcpClient(server.AddressFamily);
        using var timeout = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(server, timeout.Token);
        var stream = client.GetStream();
        var ids = new List<ushort>();
        foreach (var (name, type) in queries)
        {
            var query = Encode(name, type, out var id);
            ids.Add(id);
            var framed = new byte[2 + query.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await stream.WriteAsync(framed, timeout.Token);
        }

        var answers = new Dictionary<ushort, DnsMessage>();
        while (answers.Count < queries.Length)
        {
            var header = new byte[2];
            await stream.ReadExactlyAsync(header, timeout.Token);
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
            await stream.ReadExactlyAsync(body, timeout.Token);
            var response = DnsMessage.Parse(new ArraySegment<byte>(body));
            answers[response.TransactionID] = response;
        }

        return [.. ids.Select(id => answers[id])];
    }

    /// <summary>Sends bytes that are no DNS message over UDP.</summary>
    public static async Task SendGarbageAsync(IPEndPoint server, byte[] datagram)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        await socket.SendAsync(datagram);
    }

    /// <summary>Sends bytes that are no DNS message on a TCP connection, then closes it.</summary>
    public static async Task SendTcpGarbageAsync(IPEndPoint server, byte[] bytes)
    {
        using var client = new TcpClient(server.AddressFamily);
        using var timeout = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(server, timeout.Token);
        await client.GetStream().WriteAsync(bytes, timeout.Token);
    }

    /// <summary>RFC 1035 §4.1: a header with one question and recursion desired, as nslookup sends it.</summary>
    private static byte[] Encode(string name, RecordType type, out ushort id)
    {
        id = (ushort)Interlocked.Increment(ref _nextId);
        var bytes = new List<byte>();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        bytes.AddRange(header);
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        var tail = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(tail, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(2), (ushort)RecordClass.INet);
        bytes.AddRange(tail);
        return [.. bytes];
    }
}
