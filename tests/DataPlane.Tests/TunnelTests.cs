using System.Net;
using System.Net.Sockets;
using System.Text;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using k8s;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// TCP across clusters: a connection on one of c1's proxy listeners crosses to c2 through an HTTP/1.1 Upgrade tunnel
/// to c2's gateway, which splices it to a pod of the exported Service. Real sockets end to end.
/// </summary>
public sealed class TunnelTests : TunnelContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Bytes_cross_both_ways_and_a_server_first_greeting_arrives_unasked()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = await ImportAsync("echo", 42, "tcp");

        var (socket, greeting) = await ConnectAsync(listener);
        using var owned = socket;
        Assert.Equal("hello from echo-c2", greeting);

        using var timeout = new CancellationTokenSource(Wait);
        var payload = new string('x', 200_000) + "\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(payload), timeout.Token);
        var echoed = new StringBuilder();
        while (echoed.Length < payload.Length)
        {
            echoed.Append(await ReadLineAsync(socket, timeout.Token)).Append('\n');
        }

        Assert.Equal(payload, echoed.ToString());

        // The tunnel is counted on both sides, bytes included.
        var proxy = await PrometheusText.ScrapeAsync(Proxy);
        Assert.True(proxy.Sum("eriecanal_dataplane_connections_total", ("service", "echo.tn:42"), ("cluster", ClusterKeyOf(Exporter))) >= 1);
        Assert.True(proxy.Sum("eriecanal_dataplane_connection_bytes_total", ("service", "echo.tn:42"), ("direction", "sent")) >= payload.Length);
        var gateway = await PrometheusText.ScrapeAsync(Gateway);
        Assert.True(gateway.Sum("eriecanal_dataplane_connections_total", ("service", "echo.tn:42"), ("component", "gateway")) >= 1);
        Assert.True(gateway.Sum("eriecanal_dataplane_connection_bytes_total", ("service", "echo.tn:42"), ("direction", "received")) >= payload.Length);
    }

    [Fact]
    public async Task Bytes_sent_with_the_upgrade_request_reach_the_pod()
    {
        // A client that does not wait for the 101: what the gateway read past the request goes first, then the socket.
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = await ImportAsync("echo", 42, "tcp");
        var (routed, _) = await ConnectAsync(listener);
        routed.Dispose();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Wait);
        await socket.ConnectAsync(Gateway.EndPoint, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET / HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\nUpgrade: {DataPlaneHeaders.TunnelProtocol}\r\n{DataPlaneHeaders.Tunnel}: echo.tn:42\r\n\r\nping\n"), timeout.Token);
        socket.Shutdown(SocketShutdown.Send);

        var all = await ReadToEndAsync(socket, timeout.Token);
        Assert.StartsWith("HTTP/1.1 101", all, StringComparison.Ordinal);
        var tunnelled = all[(all.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal("hello from echo-c2\nping\nbye 5\n", tunnelled);
    }

    [Fact]
    public async Task The_clients_half_close_reaches_the_pod_which_still_answers()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = await ImportAsync("echo", 42, "tcp");
        var (socket, _) = await ConnectAsync(listener);
        using var owned = socket;

        using var timeout = new CancellationTokenSource(Wait);
        await socket.SendAsync(Encoding.ASCII.GetBytes("abc"), timeout.Token);
        socket.Shutdown(SocketShutdown.Send);

        // The pod saw the end of input (it says bye with the count) and its answer still came back, then its end.
        Assert.Equal("abcbye 3\n", await ReadToEndAsync(socket, timeout.Token));
    }

    [Fact]
    public async Task The_pods_half_close_reaches_the_client_which_can_still_send()
    {
        // An undeclared port name: the listener waits for the client's first bytes, gets none (the pod speaks first): TCP.
        var pod = Own(TcpPod.Closer("closer-c2"));
        await ServeAsync("closer", 7000, "stream", pod.EndPoint);
        var listener = await ImportAsync("closer", 7000, "stream");
        var (socket, greeting) = await ConnectAsync(listener);
        using var owned = socket;
        Assert.Equal("hello from closer-c2", greeting);

        using var timeout = new CancellationTokenSource(Wait);
        Assert.Equal("", await ReadToEndAsync(socket, timeout.Token));
        await socket.SendAsync(Encoding.ASCII.GetBytes("still here"), timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        await Eventually.Until(() => pod.ReceivedAfterHalfClose.Contains("still here"), "the pod got what was sent after its half-close", Wait);
    }

    [Fact]
    public async Task Http_on_a_listener_routes_to_the_listeners_service_when_the_Host_is_an_address()
    {
        var web = Own(await Backend.StartAsync("web-c2"));
        await ServeAsync("web", 8080, "web", web.EndPoint);
        await Objects.IngressAsync(ExporterClient, Objects.Ingress(Namespace, "web", GatewayOptions.DefaultIngressClass, [new Objects.IngressPath($"/{Namespace}/web", "Prefix", "web", 8080)],
            new Dictionary<string, string> { [PathRewrite.FromAnnotation] = $"^/{Namespace}/web/?", [PathRewrite.ToAnnotation] = "/" }));
        var listener = await ImportAsync("web", 8080, "web");

        // As kube-proxy hands it over: the Host is the Service's ClusterIP, which names no Service.
        var endPoint = new IPEndPoint(IPAddress.Loopback, listener);
        var (status, body) = await Eventually.Until(
            async () =>
            {
                try
                {
                    await using var http = await RawHttp.ConnectAsync(endPoint);
                    await http.SendGetAsync("/get?a=1", "10.96.0.12:8080");
                    using var timeout = new CancellationTokenSource(Wait);
                    return await http.ReadResponseAsync(timeout.Token);
                }
                catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
                {
                    return (0, ex.Message);
                }
            },
            r => r.Item1 == 200,
            "HTTP through the listener");
        Assert.Equal("web-c2\n", body);
        Assert.Contains(web.Requests, r => r.PathAndQuery == "/get?a=1" && r.Host == "10.96.0.12:8080");
    }

    [Fact]
    public async Task The_gateway_refuses_tunnels_it_must_not_open_and_says_why()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        await ServeAsync("secret", 42, "tcp", pod.EndPoint, export: false);
        await ExportAsync("gone");
        await Eventually.Until(async () => (await RawTunnelAsync("nothing.tn:42")).Status == 403 && (await RawTunnelAsync("echo.tn:99")).Status == 404, "the gateway saw the exports");

        var (status, body) = await RawTunnelAsync("secret.tn:42");
        Assert.Equal(403, status);
        Assert.Contains("secret.tn is not exported from c2", body, StringComparison.Ordinal);
        (status, body) = await RawTunnelAsync("echo.tn:99");
        Assert.Equal(404, status);
        Assert.Contains("has no TCP port 99", body, StringComparison.Ordinal);
        (status, body) = await RawTunnelAsync("gone.tn:42");
        Assert.Equal(404, status);
        Assert.Contains("no Service tn/gone", body, StringComparison.Ordinal);
        Assert.Equal(400, (await RawTunnelAsync("10.0.0.1:22")).Status);
        Assert.Equal(0, pod.Accepted);

        // A tunnel that passed a proxy of c2 and then c1's came back around: a loop.
        (status, body) = await RawTunnelAsync("echo.tn:42", hop: $"{ClusterKeyOf(Exporter)}, {ClusterKeyOf(Consumer)}");
        Assert.Equal(508, status);
        Assert.Contains("loop", body, StringComparison.Ordinal);
        Assert.Equal(0, pod.Accepted);
    }

    [Fact]
    public async Task A_refused_gateway_sends_the_connection_to_the_next_cluster_at_connect_time()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var refusing = Backend.Refusing();
        const string c3 = "default/default/default/c3";
        var listener = await ImportAsync("echo", 42, "tcp",
            new Objects.RoutedEndpoint(c3, refusing.Address.ToString(), refusing.Port, "/tn/echo", 100, "Active"),
            new Objects.RoutedEndpoint(ClusterKeyOf(Exporter), "127.0.0.1", GatewayAddress.Port, "/tn/echo", 100, "Active"));

        for (var i = 0; i < 6; i++)
        {
            var (socket, greeting) = await ConnectAsync(listener);
            socket.Dispose();
            Assert.Equal("hello from echo-c2", greeting);
        }

        var metrics = await PrometheusText.ScrapeAsync(Proxy);
        Assert.True(metrics.Sum("eriecanal_dataplane_connection_failures_total", ("cluster", c3), ("reason", "refused")) >= 1);
    }

    [Fact]
    public async Task A_listener_goes_with_its_slice_while_its_open_connection_runs_on()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = await ImportAsync("echo", 42, "tcp");
        var (socket, _) = await ConnectAsync(listener);
        using var owned = socket;

        await ConsumerClient.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("echo-proxy", Namespace);
        await Eventually.Until(
            async () =>
            {
                using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, listener);
                    return false;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    return true;
                }
            },
            "the listener closed");

        using var timeout = new CancellationTokenSource(Wait);
        await socket.SendAsync(Encoding.ASCII.GetBytes("still\n"), timeout.Token);
        Assert.Equal("still", await ReadLineAsync(socket, timeout.Token));
    }

    [Fact]
    public async Task A_connection_for_an_MCS_import_is_closed_and_counted_until_the_proxy_has_its_routing()
    {
        var listener = LocalPorts.Reserve();
        var slice = ProxySlice("mcsweb", listener, 42, "tcp");
        slice.Metadata.Labels[Interfaces.ProxyListeners.ImportKindLabel] = Interfaces.ProxyListeners.McsKind;
        await ConsumerClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace);

        await Eventually.Until(
            async () =>
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, listener);
                    using var timeout = new CancellationTokenSource(Wait);
                    return await ReadToEndAsync(socket, timeout.Token) == "";
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            "a connection on the MCS listener is accepted and closed");
        var metrics = await PrometheusText.ScrapeAsync(Proxy);
        Assert.True(metrics.Sum("eriecanal_dataplane_connection_failures_total", ("service", "mcsweb.tn:42"), ("reason", "no_route")) >= 1);
    }

    [Fact]
    public async Task A_port_in_use_is_counted_and_opened_at_a_later_change_and_a_port_out_of_range_is_refused()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = LocalPorts.Reserve();
        var squatter = new TcpListener(IPAddress.Loopback, listener);
        squatter.Start();
        await Objects.ImportAsync(ConsumerClient, Namespace, "echo", 42, new Objects.RoutedEndpoint(ClusterKeyOf(Exporter), "127.0.0.1", GatewayAddress.Port, "/tn/echo", 100, "Active"));
        var slice = ProxySlice("echo", listener, 42, "tcp");
        slice.Metadata.Annotations[Interfaces.ProxyListeners.ListenersAnnotation] = Interfaces.ProxyListeners.Format([(listener, 42), (1000, 43)]);
        await ConsumerClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace);

        var port = listener.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.Until(
            async () => (await PrometheusText.ScrapeAsync(Proxy)).Sum("eriecanal_dataplane_listen_failures_total", ("port", port), ("reason", "in_use")) >= 1,
            "the port in use counted");
        Assert.True((await PrometheusText.ScrapeAsync(Proxy)).Sum("eriecanal_dataplane_listen_failures_total", ("port", "1000"), ("reason", "refused")) >= 1);

        // Freed, then any change of the member: the proxy tries again.
        squatter.Stop();
        await Objects.NamespaceAsync(ConsumerClient, "nudge");
        await Objects.ServiceAsync(ConsumerClient, "nudge", "nudge", 80);
        var (socket, greeting) = await ConnectAsync(listener);
        socket.Dispose();
        Assert.Equal("hello from echo-c2", greeting);
    }

    [Fact]
    public async Task A_request_that_already_passed_this_proxy_is_a_loop()
    {
        await using var http = await RawHttp.ConnectAsync(Proxy.EndPoint);
        await http.SendRawAsync($"GET / HTTP/1.1\r\nHost: web.tn:8080\r\n{DataPlaneHeaders.Hop}: {ClusterKeyOf(Exporter)}, {ClusterKeyOf(Consumer)}\r\n\r\n");
        using var timeout = new CancellationTokenSource(Wait);
        var (status, body) = await http.ReadResponseAsync(timeout.Token);
        Assert.Equal(508, status);
        Assert.Contains("loop", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_connection_survives_a_routing_change_that_sends_new_ones_elsewhere()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);
        var listener = await ImportAsync("echo", 42, "tcp");
        var (socket, _) = await ConnectAsync(listener);
        using var owned = socket;

        // The routing now names only a cluster whose gateway refuses: new connections fail, the open one does not.
        var refusing = Backend.Refusing();
        await Objects.ImportAsync(ConsumerClient, Namespace, "echo", 42, new Objects.RoutedEndpoint("default/default/default/c3", refusing.Address.ToString(), refusing.Port, "/tn/echo", 100, "Active"));
        await Eventually.Until(
            async () =>
            {
                using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, listener);
                using var timeout = new CancellationTokenSource(Wait);
                return await ReadToEndAsync(probe, timeout.Token) == "";
            },
            "new connections follow the new routing");

        using var wait = new CancellationTokenSource(Wait);
        await socket.SendAsync(Encoding.ASCII.GetBytes("still\n"), wait.Token);
        Assert.Equal("still", await ReadLineAsync(socket, wait.Token));
    }

    [Fact]
    public async Task A_blackholed_gateway_costs_a_connection_one_per_try_timeout_then_it_goes_to_the_next_cluster()
    {
        var pod = Own(TcpPod.Echo("echo-c2"));
        await ServeAsync("echo", 42, "tcp", pod.EndPoint);

        // Accepts connections and never answers: the tunnel's 101 never comes.
        var silent = new TcpListener(Backend.NextAddress(), 0);
        silent.Start();
        var held = new List<Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await silent.AcceptSocketAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        try
        {
            var silentAddress = (IPEndPoint)silent.LocalEndpoint;
            const string c3 = "default/default/default/c3";
            var listener = await ImportAsync("echo", 42, "tcp",
                new Objects.RoutedEndpoint(c3, silentAddress.Address.ToString(), silentAddress.Port, "/tn/echo", 100, "Active"),
                new Objects.RoutedEndpoint(ClusterKeyOf(Exporter), "127.0.0.1", GatewayAddress.Port, "/tn/echo", 100, "Active"));

            // Once routed (the first greeting), each connection takes c2's way at once or after the per-try timeout (500 ms).
            var (first, _) = await ConnectAsync(listener);
            first.Dispose();
            for (var i = 0; i < 4; i++)
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, listener);
                using var timeout = new CancellationTokenSource(Wait);
                Assert.Equal("hello from echo-c2", await ReadLineAsync(socket, timeout.Token));
                Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"connection {i} took {started.Elapsed}");
            }

            var metrics = await PrometheusText.ScrapeAsync(Proxy);
            Assert.True(metrics.Sum("eriecanal_dataplane_connection_failures_total", ("cluster", c3), ("reason", "timeout")) >= 1);
        }
        finally
        {
            silent.Stop();
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task This_members_own_routing_entry_goes_straight_to_its_own_pods()
    {
        // c1 serves echo itself; its routing entry (its own cluster key) means its own ready pods, not a gateway.
        var local = Own(TcpPod.Echo("echo-c1"));
        await Objects.ServiceAsync(ConsumerClient, Namespace, "echo", 42, "tcp", local.Port);
        await Objects.SliceAsync(ConsumerClient, Namespace, "echo", "echo-c1-pod", local.Ip, local.Port, ready: true, "tcp");
        var listener = await ImportAsync("echo", 42, "tcp", new Objects.RoutedEndpoint(ClusterKeyOf(Consumer), "127.0.0.1", GatewayAddress.Port, "/tn/echo", 100, "Active"));

        var (socket, greeting) = await ConnectAsync(listener);
        socket.Dispose();
        Assert.Equal("hello from echo-c1", greeting);
        Assert.Equal(0, (await PrometheusText.ScrapeAsync(Gateway)).Sum("eriecanal_dataplane_connections_total"));
    }
}
