using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>
/// helm installs charts/erie-canal-orleans into sandbox clusters as into real ones: control-plane mode (the silos'
/// StatefulSet with its RBAC, waited for by helm), an upgrade that rolls the silos one at a time, and member mode.
/// </summary>
public sealed class ChartInstallTests : IAsyncLifetime
{
    private static readonly string Chart = Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans");
    private readonly string _directory = Directory.CreateTempSubdirectory("chart-install-").FullName;
    private SandboxHost _host = null!;
    private IReadOnlyDictionary<string, string> _kubeconfigs = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync(["control-plane", "cluster-1"], new SandboxClusterOptions { PodReadyDelay = TimeSpan.FromMilliseconds(100) });
        _kubeconfigs = _host.WriteKubeconfigs(Path.Combine(_directory, "kubeconfigs"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Control_plane_mode_installs_waits_for_the_silos_and_an_upgrade_rolls_them_one_at_a_time()
    {
        var helm = new HelmRunner(_kubeconfigs["control-plane"], _directory);
        var (code, output) = await helm.RunAsync("install", "ec", Chart, "--namespace", "erie-canal", "--create-namespace", "--wait", "--timeout", "90s");
        Assert.True(code == 0, output);
        Assert.Contains("STATUS: deployed", output);

        var kubectl = new KubectlRunner(_kubeconfigs["control-plane"], _directory);
        var pods = await kubectl.RunAsync("get", "pods", "-n", "erie-canal", "-o", "jsonpath={.items[*].metadata.name}");
        Assert.Equal("ec-0 ec-1 ec-2", pods.AssertSuccess().Stdout);
        (await kubectl.RunAsync("get", "clusterrole/ec", "clusterrolebinding/ec", "role/ec-pods", "rolebinding/ec-pods", "serviceaccount/ec", "-n", "erie-canal")).AssertSuccess();
        (await kubectl.RunAsync("rollout", "status", "statefulset/ec", "-n", "erie-canal", "--timeout=60s")).AssertSuccess();

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfigs["control-plane"]));
        await using var log = await PodEventLog.StartAsync(client, "erie-canal");
        (code, output) = await helm.RunAsync("upgrade", "ec", Chart, "--namespace", "erie-canal", "--set", "settings.Health__ProbeInterval=00:00:02", "--wait", "--timeout", "90s");
        Assert.True(code == 0, output);
        await Eventually.Until(() => client.AppsV1.ReadNamespacedStatefulSetAsync("ec", "erie-canal"),
            s => s.Status.CurrentRevision == s.Status.UpdateRevision && s.Status.UpdatedReplicas == 3 && s.Status.ReadyReplicas == 3, "the upgrade rolled out");

        var deleted = log.Events.Where(e => e.Type == WatchEventType.Deleted).Select(e => e.Name).ToList();
        Assert.Equal(["ec-2", "ec-1", "ec-0"], deleted);
        foreach (var (previous, next) in new[] { ("ec-2", "ec-1"), ("ec-1", "ec-0") })
        {
            var readyAgain = log.IndexOf(e => e.Name == previous && e.Ready && e.Type == WatchEventType.Modified);
            Assert.True(readyAgain >= 0 && readyAgain < log.IndexOf(e => e.Type == WatchEventType.Deleted && e.Name == next), $"{next} went before the new {previous} was Ready");
        }

        var env = (await client.CoreV1.ReadNamespacedPodAsync("ec-0", "erie-canal")).Spec.Containers[0].Env;
        Assert.Contains(env, e => e.Name == "ErieCanal__Health__ProbeInterval" && e.Value == "00:00:02");
    }

    [Fact]
    public async Task Member_mode_installs_its_cluster_roles_and_data_plane()
    {
        var helm = new HelmRunner(_kubeconfigs["cluster-1"], _directory);
        // No --wait: the gateway's LoadBalancer Service gets no address without a load-balancer controller, as on kind.
        var (code, output) = await helm.RunAsync("install", "ec", Chart, "--namespace", "erie-canal", "--create-namespace",
            "--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1");
        Assert.True(code == 0, output);
        Assert.Contains("STATUS: deployed", output);

        var kubectl = new KubectlRunner(_kubeconfigs["cluster-1"], _directory);
        (await kubectl.RunAsync("get", "clusterrole/ec-reconciler-access", "clusterrole/ec-dataplane", "clusterrolebinding/ec-dataplane")).AssertSuccess();
        Assert.Equal("", (await kubectl.RunAsync("get", "statefulsets", "-n", "erie-canal", "-o", "name")).AssertSuccess().Stdout.Trim());
        (code, output) = await helm.RunAsync("status", "ec", "--namespace", "erie-canal");
        Assert.True(code == 0 && output.Contains("STATUS: deployed", StringComparison.Ordinal), output);
    }
}
