using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>The member's gateway address: a stable port relaying (or handing connections to an in-process gateway), with its stand-in, stop, blackhole and start.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    // How long a blackholed connection must stay silent for the test to call it stalled (an absence has no event).
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly SandboxFixture _fixture = new();
    private HttpClient _control = null!;

    private SandboxGateway Gateway => _fixture.Cluster.Gateway;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _control = new HttpClient { BaseAddress = _fixture.Host.ControlUri, Timeout = TimeSpan.FromSeconds(30) };
        await Gateway.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _control.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Without_upstream_the_stand_in_answers_healthz_and_404_on_one_connection()
    {
        Assert.Equal(GatewayState.Serving, Gateway.State);
        Assert.Null(Gateway.Upstream);
        await using var connection = await RawHttp.ConnectAsync(Gateway.EndPoint!);

        Assert.Equal((200, "ok"), await connection.GetAsync("/healthz"));
        Assert.Equal((404, "Service Not Found"), await connection.GetAsync("/httpbin/"));
        Assert.Equal((200, "ok"), await connection.GetAsync("/healthz"));
    }

    [Fact]
    public async Task Relays_bytes_both_ways_unchanged_and_passes_half_close_through()
    {
        await using var upstream = new EchoUpstream();
        Gateway.Upstream = upstream.EndPoint;
        var payload = new byte[256 * 1024];
        new Random(6).NextBytes(payload);

        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(Gateway.EndPoint!);
        var stream = client.GetStream();
        var reading = ReadToEndAsync(stream);
        await stream.WriteAsync(payload);
        client.Client.Shutdown(SocketShutdown.Send);

        var echoed = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([.. payload, .. Encoding.ASCII.GetBytes(EchoUpstream.Trailer)], echoed);
    }

    [Fact]
    public async Task Relays_http_to_a_pod_with_keep_alive()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "behind", "web", 1);
        var pod = (await ReadyPods.WaitAsync(client, "behind", "web", 1)).Single();
        Gateway.Upstream = new IPEndPoint(IPAddress.Parse(pod.Status.PodIP), 8080);

        await using var connection = await RawHttp.ConnectAsync(Gateway.EndPoint!);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((200, pod.Metadata.Name + "\n"), await connection.GetAsync("/"));
        }
    }

    [Fact]
    public async Task Stop_refuses_connections_and_closes_open_ones_and_start_serves_on_the_same_port()
    {
        await using var upstream = new EchoUpstream();
        Gateway.Upstream = upstream.EndPoint;
        var port = Gateway.Port;
        using var open = new TcpClient();
        await open.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal("hi", await EchoAsync(open.GetStream(), "hi"));

        await Gateway.StopAsync();

        Assert.Equal(GatewayState.Stopped, Gateway.State);
        Assert.True(await ClosedAsync(open.GetStream()));
        var refused = await Assert.ThrowsAsync<SocketException>(() => new TcpClient().ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await Gateway.StartAsync();
        Assert.Equal(port, Gateway.Port);
        using var again = new TcpClient();
        await again.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal("back", await EchoAsync(again.GetStream(), "back"));
    }

    [Fact]
    public async Task Blackhole_accepts_and_stalls_until_start_heals_it()
    {
        await using var upstream = new EchoUpstream();
        Gateway.Upstream = upstream.EndPoint;
        using var open = new TcpClient { NoDelay = true };
        await open.ConnectAsync(Gateway.EndPoint!);
        var openStream = open.GetStream();
        Assert.Equal("before", await EchoAsync(openStream, "before"));

        await Gateway.BlackholeAsync();
        Assert.Equal(GatewayState.Blackholed, Gateway.State);

        // An open connection stalls: its bytes reach neither the upstream nor come back.
        var received = upstream.Received;
        await openStream.WriteAsync("stalled"u8.ToArray());
        var stalledEcho = ReadExactlyAsync(openStream, "stalled".Length);
        Assert.False(await CompletesWithinAsync(stalledEcho, Quiet));
        Assert.Equal(received, upstream.Received);

        // A new connection is accepted (no refusal) and never answered, never closed.
        using var parked = new TcpClient { NoDelay = true };
        await parked.ConnectAsync(Gateway.EndPoint!);
        await parked.GetStream().WriteAsync("parked"u8.ToArray());
        var parkedEcho = ReadExactlyAsync(parked.GetStream(), "parked".Length);
        Assert.False(await CompletesWithinAsync(parkedEcho, Quiet));

        await Gateway.StartAsync();
        Assert.Equal(GatewayState.Serving, Gateway.State);
        Assert.Equal("stalled", await stalledEcho.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("parked", await parkedEcho.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Hands_connections_to_the_acceptor_instead_of_relaying_and_stop_closes_them_on_the_same_port()
    {
        await using var upstream = new EchoUpstream();
        await using var acceptor = new EchoAcceptor();
        Gateway.Upstream = upstream.EndPoint;
        Gateway.Acceptor = acceptor.Adopt;
        var port = Gateway.Port;
        using var open = new TcpClient { NoDelay = true };
        await open.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal("adopted", await EchoAsync(open.GetStream(), "adopted"));
        Assert.Equal(1, acceptor.Adopted);
        Assert.Equal(0, upstream.Received);

        await Gateway.StopAsync();

        Assert.True(await ClosedAsync(open.GetStream()));
        var refused = await Assert.ThrowsAsync<SocketException>(() => new TcpClient().ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await Gateway.StartAsync();
        Assert.Equal(port, Gateway.Port);
        using var again = new TcpClient { NoDelay = true };
        await again.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal("back", await EchoAsync(again.GetStream(), "back"));
        Assert.Equal(2, acceptor.Adopted);

        // Without an acceptor, new connections are relayed again.
        Gateway.Acceptor = null;
        using var relayed = new TcpClient { NoDelay = true };
        await relayed.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal("relayed", await EchoAsync(relayed.GetStream(), "relayed"));
        Assert.Equal("relayed".Length, upstream.Received);
    }

    [Fact]
    public async Task Blackhole_closes_the_gate_of_handed_over_connections_and_parks_new_ones_until_start()
    {
        await using var acceptor = new EchoAcceptor();
        Gateway.Acceptor = acceptor.Adopt;
        using var open = new TcpClient { NoDelay = true };
        await open.ConnectAsync(Gateway.EndPoint!);
        var openStream = open.GetStream();
        Assert.Equal("before", await EchoAsync(openStream, "before"));

        await Gateway.BlackholeAsync();

        // The handed-over connection stalls: its bytes get no further than the gate.
        var received = acceptor.Received;
        await openStream.WriteAsync("stalled"u8.ToArray());
        var stalledEcho = ReadExactlyAsync(openStream, "stalled".Length);
        Assert.False(await CompletesWithinAsync(stalledEcho, Quiet));
        Assert.Equal(received, acceptor.Received);

        // A new connection is accepted but not handed over while blackholed.
        using var parked = new TcpClient { NoDelay = true };
        await parked.ConnectAsync(Gateway.EndPoint!);
        await parked.GetStream().WriteAsync("parked"u8.ToArray());
        var parkedEcho = ReadExactlyAsync(parked.GetStream(), "parked".Length);
        Assert.False(await CompletesWithinAsync(parkedEcho, Quiet));
        Assert.Equal(1, acceptor.Adopted);

        await Gateway.StartAsync();
        Assert.Equal("stalled", await stalledEcho.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("parked", await parkedEcho.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, acceptor.Adopted);
    }

    [Fact]
    public async Task Control_api_drives_the_gateway_and_reports_address_state_upstream_and_client_proxy()
    {
        _fixture.Cluster.ClientProxy = new Uri("http://127.0.0.1:15001");
        Gateway.Upstream = new IPEndPoint(IPAddress.Loopback, 15002);
        var address = $"127.0.0.1:{Gateway.Port}";

        var described = await DescribeAsync();
        Assert.Equal(address, (string?)described["gateway"]!["address"]);
        Assert.Equal("serving", (string?)described["gateway"]!["state"]);
        Assert.Equal("127.0.0.1:15002", (string?)described["gateway"]!["upstream"]);
        Assert.Equal("http://127.0.0.1:15001/", (string?)described["clientProxy"]);
        var listed = JsonNode.Parse(await _control.GetStringAsync("clusters"))!["clusters"]!.AsArray().Single(c => (string?)c!["name"] == "test")!;
        Assert.Equal(address, (string?)listed["gateway"]!["address"]);
        Assert.Equal("http://127.0.0.1:15001/", (string?)listed["clientProxy"]);

        Assert.Equal("blackholed", (string?)(await PostAsync("gateway/blackhole"))["gateway"]!["state"]);
        Assert.Equal(GatewayState.Blackholed, Gateway.State);
        Assert.Equal("stopped", (string?)(await PostAsync("gateway/stop"))["gateway"]!["state"]);
        await Assert.ThrowsAsync<SocketException>(() => new TcpClient().ConnectAsync(Gateway.EndPoint!));
        Assert.Equal("serving", (string?)(await PostAsync("gateway/start"))["gateway"]!["state"]);
        Assert.Equal(address, (string?)(await DescribeAsync())["gateway"]!["address"]);

        Gateway.Upstream = null;
        await PostAsync("gateway/blackhole");
        Assert.Equal("serving", (string?)(await PostAsync("reset"))["gateway"]!["state"]);
        await using var connection = await RawHttp.ConnectAsync(Gateway.EndPoint!);
        Assert.Equal((200, "ok"), await connection.GetAsync("/healthz"));
    }

    private async Task<JsonNode> DescribeAsync() => JsonNode.Parse(await _control.GetStringAsync("clusters/test"))!;

    private async Task<JsonNode> PostAsync(string action)
    {
        using var response = await _control.PostAsJsonAsync($"clusters/test/{action}", new { });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<string> EchoAsync(NetworkStream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        return await ReadExactlyAsync(stream, text.Length);
    }

    private static async Task<string> ReadExactlyAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all);
        return all.ToArray();
    }

    private static async Task<bool> ClosedAsync(NetworkStream stream)
    {
        try
        {
            var buffer = new byte[64];
            return await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60)) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan wait) =>
        await Task.WhenAny(task, Task.Delay(wait)) == task;
}
