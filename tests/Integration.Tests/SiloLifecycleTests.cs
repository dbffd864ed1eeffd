using System.Net;
using System.Net.Http.Json;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// A silo process's life as a pod sees it, on a real redis-server: /readyz answers only when the silo can serve, and
/// SIGTERM (what the kubelet sends) stops it within its shutdown timeout, exit code 0, having written itself Dead in
/// the membership table while its grains move to the survivor.
/// </summary>
public sealed class SiloLifecycleTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-lifecycle-tests", Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;
    private EmbeddedEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _environment = await EmbeddedEnvironment.StartAsync(["cluster-1"], _directory);
    }

    public async Task DisposeAsync()
    {
        await _environment.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_silo_that_cannot_see_its_control_plane_is_alive_but_not_ready()
    {
        // A control plane nobody answers at: the silo joins its Orleans cluster but cannot list Clusters.
        var kubeconfig = Path.Combine(_directory, "unreachable.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:{{{LocalPorts.Reserve()}}}", insecure-skip-tls-verify: true}}]
            users: [{name: nobody, user: {token: none}}]
            contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
            current-context: nowhere
            """);
        await using var silo = SiloProcess.Create("silo-blind", "default", kubeconfig, $"lifecycle-{Guid.NewGuid():N}", new Dictionary<string, string> { ["Orleans__Redis"] = _redis.ConnectionString });
        await silo.StartAsync(untilReady: false);
        using var http = new HttpClient { BaseAddress = silo.Api };

        // Alive (liveness must not restart it for a control plane that is down), and it says why it is not ready, for
        // as long as it cannot see the control plane.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            var ready = await http.GetAsync("readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("control-plane watch not synced", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_silo_refused_the_Cluster_watch_stays_alive_says_why_on_its_Pod_and_becomes_ready_when_allowed()
    {
        // A rule removed from the chart's ClusterRole: "list clusters" is refused to the silo's ServiceAccount.
        var controlPlane = _environment.Sandbox[EmbeddedEnvironment.ControlPlaneName];
        controlPlane.Faults.Forbidden.Deny("list", "flomesh.io", "clusters");
        var podName = $"silo-refused-{Guid.NewGuid():N}"[..24];
        await using var silo = SiloProcess.Create("silo-refused", "default", _environment.ControlPlaneKubeconfig, $"lifecycle-{Guid.NewGuid():N}", new Dictionary<string, string>
        {
            ["Orleans__Redis"] = _redis.ConnectionString,
            // The downward API's variables, as the chart sets them: the silo's Pod is where it reports.
            ["POD_NAME"] = podName,
            ["POD_NAMESPACE"] = "default",
            ["ErieCanal__Retry__MaxBackoff"] = "00:00:02",
        });
        try
        {
            await silo.StartAsync(untilReady: false);
            using var http = new HttpClient { BaseAddress = silo.Api };
            using var client = _environment.Client(EmbeddedEnvironment.ControlPlaneName);
            var events = await Eventually.Until(() => client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={podName},involvedObject.kind=Pod"),
                l => l.Items.Any(e => e is { Type: "Warning", Reason: "Forbidden" }), "a Warning Event on the silo's Pod");
            Assert.Contains("cannot list resource \"clusters\" in API group \"flomesh.io\"", events.Items.Single(e => e.Reason == "Forbidden").Message, StringComparison.Ordinal);
            Assert.Contains("cannot list resource \"clusters\"", silo.Output, StringComparison.Ordinal);

            // Up, not crash-looping, and not ready: it cannot see a single Cluster.
            Assert.True(silo.Running);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("readyz")).StatusCode);

            // The rule is back: the retry succeeds, the silo becomes ready and says so on its Pod.
            controlPlane.Faults.Forbidden.Allow("list", "flomesh.io", "clusters");
            await Eventually.Until(async () => (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK, "ready once allowed", TimeSpan.FromSeconds(60));
            await Eventually.Until(() => client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={podName},involvedObject.kind=Pod"),
                l => l.Items.Any(e => e is { Type: "Normal", Reason: "AccessRestored" }), "a Normal Event once allowed");
        }
        finally
        {
            controlPlane.Faults.Forbidden.Allow("list", "flomesh.io", "clusters");
        }
    }

    [Fact]
    public async Task SIGTERM_stops_a_silo_gracefully_within_its_timeout_and_its_members_move_on()
    {
        var clusterId = $"lifecycle-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string>
        {
            ["Orleans__Redis"] = _redis.ConnectionString,
            ["Shutdown__TimeoutSeconds"] = "20",
            // Probing would take minutes to declare a silo dead: a Dead entry within seconds is the silo's own goodbye.
            ["Orleans__Membership__ProbeTimeout"] = "00:00:30",
            ["Orleans__Membership__NumMissedProbesLimit"] = "3",
            ["Orleans__Membership__DeathVoteExpirationTimeout"] = "00:05:00",
        };
        await using var leaving = await SiloProcess.StartAsync("silo-leaving", "default", _environment.ControlPlaneKubeconfig, clusterId, settings);
        await using var staying = await SiloProcess.StartAsync("silo-staying", "default", _environment.ControlPlaneKubeconfig, clusterId, settings);
        await using var store = await StoreClient.ConnectAsync(settings, clusterId);
        using var api = new HttpClient { BaseAddress = staying.Api };
        await Eventually.Until(() => api.GetFromJsonAsync<ClusterState>("api/v1/clusters/default/default/default/cluster-1"), s => s is { Managed: true }, "cluster-1 managed");
        var address = await Eventually.Until(() => store.ActiveSiloAsync("silo-leaving"), a => a is not null, "the leaving silo Active in membership");

        var started = DateTimeOffset.UtcNow;
        var exitCode = await leaving.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running 30 s after SIGTERM"}; {leaving.Tail()}");
        var stopped = DateTimeOffset.UtcNow - started;

        // It wrote itself Dead on the way out: the survivor's probes could not have declared it yet.
        var hosts = await Eventually.Until(() => store.Management.GetDetailedHosts(onlyActive: false),
            h => h.Any(m => m.SiloAddress.Equals(address) && m.Status == SiloStatus.Dead), "the leaving silo Dead in membership", TimeSpan.FromSeconds(20));
        Assert.Contains(hosts, m => m.SiloName == "silo-staying" && m.Status == SiloStatus.Active);
        Assert.True(stopped < TimeSpan.FromSeconds(25), $"stopped in {stopped}");

        // Its member is managed from the survivor, from the state the leaving silo left behind.
        await Eventually.Until(() => api.GetFromJsonAsync<ClusterState>("api/v1/clusters/default/default/default/cluster-1"),
            s => s is { Managed: true, Silo: "silo-staying" }, "cluster-1 managed from the surviving silo", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("readyz")).StatusCode);
    }
}
