using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>Each fault mode, observed the way a client sees it.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private readonly SandboxFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Offline_refuses_connections_and_online_serves_the_same_state_again()
    {
        var client = _fixture.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("survivor"), "default");

        await _fixture.Cluster.GoOfflineAsync();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ListNamespacedConfigMapAsync("default"));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);

        await _fixture.Cluster.GoOnlineAsync();
        var again = await client.CoreV1.ReadNamespacedConfigMapAsync("survivor", "default");
        Assert.Equal("v", again.Data["key"]);
    }

    [Fact]
    public async Task Frozen_accepts_connections_but_never_answers_until_thawed()
    {
        var impatient = _fixture.Client(TimeSpan.FromMilliseconds(500));
        _fixture.Cluster.Faults.Freeze();
        await Assert.ThrowsAnyAsync<Exception>(() => impatient.CoreV1.ListNamespaceAsync());

        _fixture.Cluster.Faults.Thaw();
        var namespaces = await _fixture.Client().CoreV1.ListNamespaceAsync();
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task Latency_delays_every_answer()
    {
        _fixture.Cluster.Faults.Latency = TimeSpan.FromSeconds(5);
        var impatient = _fixture.Client(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<Exception>(() => impatient.CoreV1.ListNamespaceAsync());

        _fixture.Cluster.Faults.Latency = TimeSpan.Zero;
        Assert.NotEmpty((await impatient.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task Fail_next_requests_answers_the_given_status_that_many_times()
    {
        var client = _fixture.Client();
        _fixture.Cluster.Faults.FailRequests(503, 2);

        for (var i = 0; i < 2; i++)
        {
            var failed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespaceAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Response.StatusCode);
            Assert.Contains("\"reason\":\"ServiceUnavailable\"", failed.Response.Content, StringComparison.Ordinal);
        }

        Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task Dropping_watches_ends_every_open_watch()
    {
        var client = _fixture.Client();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = client.CoreV1.WatchListNamespacedConfigMap("default", onEvent: (_, _) => started.TrySetResult(), onClosed: () => closed.TrySetResult());
        await client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("tick"), "default");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        _fixture.Cluster.Faults.DropWatches();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(watcher.Watching);
    }

    [Fact]
    public async Task The_control_api_drives_faults_over_http()
    {
        using var control = new HttpClient { BaseAddress = _fixture.Host.ControlUri };
        var client = _fixture.Client();

        var armed = await control.PostAsJsonAsync("clusters/test/fail", new { code = 500, count = 1 });
        armed.EnsureSuccessStatusCode();
        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, failed.Response.StatusCode);

        (await control.PostAsync("clusters/test/offline", null)).EnsureSuccessStatusCode();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ListNamespaceAsync());
        var described = await control.GetStringAsync("clusters/test");
        Assert.Contains("\"offline\":true", described, StringComparison.Ordinal);

        (await control.PostAsync("clusters/test/reset", null)).EnsureSuccessStatusCode();
        Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync()).Items);

        var unknown = await control.PostAsync("clusters/nope/offline", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
