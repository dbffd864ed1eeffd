using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>
/// Opens curl's TCP connections as the pod would: names through cluster DNS, Service addresses through kube-proxy,
/// real sockets to loopback endpoints only. Through a proxy (<see cref="CurlProxy"/>) the connection goes to the
/// proxy, whose name and address follow the same DNS and Service rules.
/// </summary>
public sealed class CurlConnector(PodNetwork network, CurlOptions options, ProcessOutput stderr, CurlTransferInfo info, bool viaProxy = false)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var address = await network.ResolveAsync(host, cancellationToken) ?? throw (viaProxy ? new CurlException(5, $"Could not resolve proxy: {host}") : new CurlException(6, $"Could not resolve host: {host}"));
        await VerboseAsync($"*   Trying {Endpoint(address, port)}...", cancellationToken);

        var clock = Stopwatch.StartNew();
        var target = network.Route(address, port) ?? throw Refused(host, port, clock);
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ConnectTimeout is { } limit)
        {
            connectDeadline.CancelAfter(limit);
        }

        try
        {
            await socket.ConnectAsync(target, connectDeadline.Token);
        }
        catch (SocketException)
        {
            socket.Dispose();
            throw Refused(host, port, clock);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new CurlException(28, $"Failed to connect to {host} port {port} after {Ms(clock)} ms: Timeout was reached");
        }

        info.RemoteIp = address.ToString();
        info.RemotePort = port;
        info.Connected = info.Elapsed;
        await VerboseAsync($"* Connected to {host} ({address}) port {port}", cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static CurlException Refused(string host, int port, Stopwatch clock) =>
        new(7, $"Failed to connect to {host} port {port} after {Ms(clock)} ms: Couldn't connect to server");

    private static string Ms(Stopwatch clock) => clock.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture);

    private static string Endpoint(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private ValueTask VerboseAsync(string line, CancellationToken cancellationToken) =>
        options.Verbose ? stderr.WriteLineAsync(line, cancellationToken) : ValueTask.CompletedTask;
}
