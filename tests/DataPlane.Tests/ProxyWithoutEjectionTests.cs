using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using static ErieCanal.Orleans.DataPlane.Tests.Infrastructure.Objects;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>Retries alone, with outlier detection off, so every request meets the failing endpoint's turn.</summary>
public sealed class ProxyWithoutEjectionTests : MemberContext
{
    private const string Remote1 = "default/default/default/c2";
    private const string Remote2 = "default/default/default/c3";

    protected override ProxyOptions ProxyOptions => new() { ClusterKey = ClusterKey, MemberName = Member, Ejection = new EjectionOptions { Enabled = false } };

    [Fact]
    public async Task Retries_a_5xx_once_on_another_endpoint_but_never_a_POST()
    {
        var failing = await BackendAsync("failing");
        failing.Status = 500;
        var healthy = await BackendAsync("healthy");
        await NamespaceAsync(Client, "fivexx");
        await ImportAsync(Client, "fivexx", "web", 80,
            new RoutedEndpoint(Remote1, failing.Ip, failing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, healthy.Ip, healthy.Port, "", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.fivexx/")).Status == 200, "import routed");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "healthy\n"), await ViaProxyAsync($"http://web.fivexx/get/{i}"));
        }

        Assert.Contains(failing.Requests, r => r.PathAndQuery.StartsWith("/get/", StringComparison.Ordinal));

        // PUT is idempotent: its body is sent again on the retry.
        Assert.Equal((200, "healthy\n"), await ViaProxyAsync("http://web.fivexx/put", HttpMethod.Put, "again"));

        var statuses = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await ViaProxyAsync("http://web.fivexx/post", HttpMethod.Post, $"p{i}")).Status);
        }

        var posts = failing.Requests.Count(r => r.Method == "POST") + healthy.Requests.Count(r => r.Method == "POST");
        Assert.Equal(10, posts);
        Assert.Equal(failing.Requests.Count(r => r.Method == "POST"), statuses.Count(s => s == 500));
        Assert.Contains(500, statuses);
        Assert.Contains(200, statuses);
    }
}
