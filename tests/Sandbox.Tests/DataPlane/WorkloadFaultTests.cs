using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Faults;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>Per-Deployment faults, set through the control API (and in-process), seen by a client of the pods.</summary>
public sealed class WorkloadFaultTests : IAsyncLifetime
{
    private readonly SandboxFixture _fixture = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private HttpClient _control = null!;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _control = new HttpClient { BaseAddress = _fixture.Host.ControlUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _control.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Error_fault_answers_the_status_on_every_pod_of_the_deployment_and_none_clears_it()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "shop", "cart", 2);
        await ReadyPods.DeployAsync(client, "shop", "other", 1);
        var pods = await ReadyPods.WaitAsync(client, "shop", "cart", 2);
        var bystander = (await ReadyPods.WaitAsync(client, "shop", "other", 1)).Single();

        var set = await _control.PostAsJsonAsync("clusters/test/workloads/shop/cart/fault", new { mode = "error", code = 503 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var described = JsonNode.Parse(await set.Content.ReadAsStringAsync())!;
        Assert.Equal("""[{"namespace":"shop","deployment":"cart","mode":"error","code":503}]""", described["faults"]!["workloads"]!.ToJsonString());

        foreach (var pod in pods)
        {
            using var failed = await _http.GetAsync(ReadyPods.Url(pod));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        Assert.Equal(bystander.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(bystander)));

        (await _control.PostAsJsonAsync("clusters/test/workloads/shop/cart/fault", new { mode = "none" })).EnsureSuccessStatusCode();
        Assert.Equal(pods[0].Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(pods[0])));
        Assert.Equal("[]", JsonNode.Parse(await _control.GetStringAsync("clusters/test"))!["faults"]!["workloads"]!.ToJsonString());
    }

    [Fact]
    public async Task Fault_applies_to_pods_created_later_and_reset_clears_it()
    {
        var client = _fixture.Client();
        (await _control.PostAsJsonAsync("clusters/test/workloads/later/web/fault", new { mode = "error", code = 500 })).EnsureSuccessStatusCode();
        await ReadyPods.DeployAsync(client, "later", "web", 1);
        var pod = (await ReadyPods.WaitAsync(client, "later", "web", 1)).Single();

        using (var failed = await _http.GetAsync(ReadyPods.Url(pod)))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        (await _control.PostAsync("clusters/test/reset", null)).EnsureSuccessStatusCode();
        Assert.Equal(pod.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(pod)));
    }

    [Fact]
    public async Task Latency_fault_delays_the_answer()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "slow", "api", 1);
        var pod = (await ReadyPods.WaitAsync(client, "slow", "api", 1)).Single();
        _fixture.Cluster.Faults.Workloads.Set("slow", "api", WorkloadFault.Delay(TimeSpan.FromMilliseconds(300)));

        var clock = Stopwatch.StartNew();
        var body = await _http.GetStringAsync(ReadyPods.Url(pod));

        // A lower bound only: the injected delay must have happened; nothing is asserted about speed.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(pod.Metadata.Name + "\n", body);
    }

    [Fact]
    public async Task Hang_fault_reads_requests_and_never_answers_them()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "stuck", "db", 1);
        var pod = (await ReadyPods.WaitAsync(client, "stuck", "db", 1)).Single();
        (await _control.PostAsJsonAsync("clusters/test/workloads/stuck/db/fault", new { mode = "hang" })).EnsureSuccessStatusCode();

        await using var hung = await RawHttp.ConnectAsync(new IPEndPoint(IPAddress.Parse(pod.Status.PodIP), 8080));
        await hung.SendGetAsync();
        var answer = hung.ReadResponseAsync();
        await Eventually.Until(() => _fixture.Cluster.Faults.Workloads.HangingRequests == 1, "the pod holds the request");

        // Cleared, the pod answers new requests at once, while the hung one still has no answer.
        _fixture.Cluster.Faults.Workloads.Set("stuck", "db", WorkloadFault.None);
        Assert.Equal(pod.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(pod)));
        Assert.False(answer.IsCompleted);

        // The pod going away cuts the hung connection.
        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "stuck");
        await Assert.ThrowsAnyAsync<Exception>(() => answer.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.False(answer.IsCompletedSuccessfully);
        await Eventually.Until(() => _fixture.Cluster.Faults.Workloads.HangingRequests == 0, "no request held any more");
    }

    [Theory]
    [InlineData("""{"mode":"explode"}""")]
    [InlineData("""{"mode":"error","code":200}""")]
    [InlineData("""{"mode":"latency"}""")]
    [InlineData("""{"mode":"latency","ms":-5}""")]
    [InlineData("""{"mode":"latency","ms":"soon"}""")]
    [InlineData("""{}""")]
    public async Task Bad_fault_bodies_get_400_with_a_message(string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _control.PostAsync("clusters/test/workloads/ns/app/fault", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("workload fault", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(_fixture.Cluster.Faults.Workloads.IsEmpty);
    }
}
