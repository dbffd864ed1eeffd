using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using static ErieCanal.Orleans.DataPlane.Tests.Infrastructure.Objects;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// The ErieCanal-equivalent configuration: retry only from an unreachable Active endpoint to a Standby one, no
/// outlier detection, no per-try timeout.
/// </summary>
public sealed class StandbyOnlyRetryTests : MemberContext
{
    private const string Remote1 = "default/default/default/c2";
    private const string Remote2 = "default/default/default/c3";

    protected override ProxyOptions ProxyOptions => new()
    {
        ClusterKey = ClusterKey,
        MemberName = Member,
        Retry = RetryPolicy.StandbyOnly,
        TryTimeout = Timeout.InfiniteTimeSpan,
        Ejection = new EjectionOptions { Enabled = false },
    };

    [Fact]
    public async Task Fails_over_to_a_standby_but_never_retries_among_active_endpoints()
    {
        var live = await BackendAsync("live");
        var standby = await BackendAsync("standby");
        var failing = await BackendAsync("failing");
        failing.Status = 500;
        var refusing = Backend.Refusing();
        await NamespaceAsync(Client, "erie");
        await ImportAsync(Client, "erie", "failover", 80,
            new RoutedEndpoint(Remote1, refusing.Address.ToString(), refusing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, standby.Ip, standby.Port, "", 0, "Standby"));
        await ImportAsync(Client, "erie", "refused", 80,
            new RoutedEndpoint(Remote1, refusing.Address.ToString(), refusing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, live.Ip, live.Port, "", 100, "Active"));
        await ImportAsync(Client, "erie", "fivexx", 80,
            new RoutedEndpoint(Remote1, failing.Ip, failing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, live.Ip, live.Port, "", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://failover.erie/")).Status == 200, "imports routed");
        await Eventually.Until(async () => (await ViaProxyAsync("http://fivexx.erie/")).Status is 200 or 500, "imports routed");

        // The primary refuses: every request goes on to the standby.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "standby\n"), await ViaProxyAsync("http://failover.erie/"));
        }

        // Two Active endpoints, one refusing or answering 500: its share fails, every time (no retry, no ejection).
        var refused = new List<int>();
        var fivexx = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            refused.Add((await ViaProxyAsync("http://refused.erie/")).Status);
            fivexx.Add((await ViaProxyAsync("http://fivexx.erie/")).Status);
        }

        Assert.Equal(5, refused.Count(s => s == 200));
        Assert.Equal(5, refused.Count(s => s == 502));
        Assert.Equal(5, fivexx.Count(s => s == 200));
        Assert.Equal(5, fivexx.Count(s => s == 500));
    }
}
