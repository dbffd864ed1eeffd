using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using static ErieCanal.Orleans.DataPlane.Tests.Infrastructure.Objects;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// The gateway taking the connections of the member's gateway address itself (no relay between), while the
/// address keeps its faults as connection-level switches: stop refuses and closes, blackhole stalls, start heals.
/// </summary>
public sealed class GatewayAddressTests : MemberContext
{
    // How long a blackholed request must stay unanswered for the test to call it stalled (an absence has no event).
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Serves_the_members_gateway_address_itself_and_keeps_stop_blackhole_and_start()
    {
        var pod = await BackendAsync("addr-pod");
        await NamespaceAsync(Client, "addr");
        await ServiceAsync(Client, "addr", "web", 8080);
        await SliceAsync(Client, "addr", "web", pod);
        await IngressAsync(Client, Ingress("addr", "web", GatewayOptions.DefaultIngressClass, [new IngressPath("/web", "Prefix", "web", 8080)]));
        await Eventually.Until(async () => (await ViaGatewayAsync("/web")).Status == 200, "route served");

        var address = Sandbox[Member].Gateway;
        await address.StartAsync();
        address.Acceptor = Gateway.TryAdopt;
        var port = address.Port;
        await using var open = await RawHttp.ConnectAsync(address.EndPoint!);
        Assert.Equal((200, "addr-pod\n"), await open.GetAsync("/web"));
        Assert.Equal((404, MemberGateway.NotFoundBody), await open.GetAsync("/nothing"));

        // Blackholed: the open connection's next request reaches no pod and gets no answer; a new one is parked.
        await address.BlackholeAsync();
        var hits = pod.Hits;
        var stalled = open.GetAsync("/web");
        Assert.False(await CompletesWithinAsync(stalled, Quiet));
        Assert.Equal(hits, pod.Hits);
        await using var parked = await RawHttp.ConnectAsync(address.EndPoint!);
        var parkedAnswer = parked.GetAsync("/web");
        Assert.False(await CompletesWithinAsync(parkedAnswer, Quiet));

        await address.StartAsync();
        Assert.Equal((200, "addr-pod\n"), await stalled.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal((200, "addr-pod\n"), await parkedAnswer.WaitAsync(TimeSpan.FromSeconds(60)));

        // Stopped: open connections are closed and new ones refused; started again on the same port.
        await address.StopAsync();
        Assert.True(await open.ClosedAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        var refused = await Assert.ThrowsAsync<SocketException>(() => new TcpClient().ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await address.StartAsync();
        Assert.Equal(port, address.Port);
        await using var again = await RawHttp.ConnectAsync(address.EndPoint!);
        Assert.Equal((200, "addr-pod\n"), await again.GetAsync("/web"));
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan wait) =>
        await Task.WhenAny(task, Task.Delay(wait)) == task;
}
