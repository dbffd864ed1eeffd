using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>A member without the ServiceExport CRDs: the gateway is ready all the same, and exports nothing to tunnels.</summary>
public sealed class GatewayWithoutCrdsTests
{
    [Fact]
    public async Task A_gateway_on_a_member_without_ServiceExport_CRDs_is_ready_and_refuses_tunnels_as_not_exported()
    {
        await using var sandbox = await SandboxHost.StartAsync(["c9"], new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) }, controlPort: 0);
        await using var gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = "c9" }, sandbox["c9"].Kubeconfig());
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await gateway.WaitUntilReadyAsync(ready.Token);
        }

        await using var http = await RawHttp.ConnectAsync(gateway.EndPoint);
        await http.SendRawAsync($"GET / HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\nUpgrade: {DataPlaneHeaders.TunnelProtocol}\r\n{DataPlaneHeaders.Tunnel}: web.default:80\r\n\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (status, body) = await http.ReadResponseAsync(timeout.Token);
        Assert.Equal(403, status);
        Assert.Contains("not exported from c9", body, StringComparison.Ordinal);
    }
}
