using System.Diagnostics;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests.Deployment;

/// <summary>
/// The chart as users install it, with the image CI builds, running as real containers in the sandbox: the seed
/// walkthrough answered through containers, an MCS export reaching the importing member's proxy by its ClusterSetIP, a silo pod deleted and replaced with nothing lost, a helm upgrade rolling
/// the silos one at a time while requests flow, and a forbidden rule reported instead of crash-looping.
/// </summary>
public sealed class ChartDeploymentTests(ImageFixture image, ITestOutputHelper output) : IClassFixture<ImageFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster3 = "default/default/default/cluster-3";
    private const string SeedUrl = "http://httpbin.httpbin:8080";
    private static readonly TimeSpan Rollout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Chart_installed_as_containers_serves_the_walkthrough_survives_a_pod_deletion_rolls_on_upgrade_and_reports_forbidden()
    {
        var clock = Stopwatch.StartNew();
        void Progress(string step) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] {step}");
        await using var set = await ContainerClusterset.StartAsync(image.Image, Progress);
        using var control = set.Client(ContainerClusterset.ControlPlane);
        using var c1 = set.Client("cluster-1");
        using var c2 = set.Client("cluster-2");
        using var c3 = set.Client("cluster-3");

        Progress("waiting for 3 silo containers Ready");
        await Eventually.Until(() => ReadySilosAsync(control, set.SiloSet), ready => ready.Count == 3, "three silo pods Ready", Rollout);
        await Eventually.Until(
            async () => (await control.CustomObjects.ListClusterCustomObjectAsync("flomesh.io", "v1alpha1", "clusters")).ToString() ?? "",
            json => ContainerClusterset.MemberNames.All(m => json.Contains($"\"name\":\"{m}\"", StringComparison.Ordinal)),
            "the Cluster objects");

        // The seed walkthrough.
        Progress("seed walkthrough");
        await Manifests.ApplyAsync(c1, Manifests.Seed("01-httpbin.yaml"));
        await Manifests.ApplyAsync(c3, Manifests.Seed("01-httpbin.yaml"));
        await Manifests.ApplyAsync(c2, Manifests.Seed("03-curl.yaml"));
        await Manifests.ApplyAsync(c2, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: httpbin\n");
        foreach (var member in new[] { c1, c2, c3 })
        {
            await Manifests.ApplyAsync(member, Manifests.Seed("02-serviceexport.yaml"));
        }

        await Eventually.Until(() => Manifests.GetImportAsync(c2, "httpbin", "httpbin"),
            i => Manifests.EndpointClusters(i).SequenceEqual([Cluster1, Cluster3]), "httpbin imported into cluster-2 from cluster-1 and cluster-3", Rollout);
        var kubectl = set.Kubectl("cluster-2");
        var curlPod = (await kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim().Length > 0,
            "get", "po", "-n", "curl", "-l", "app=curl", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}")).Stdout.Trim();
        await Eventually.Until(() => CurlAsync(kubectl, curlPod), a => a == "Not found", "the seed's first curl: Not found (Locality, no local httpbin)");

        await Manifests.ApplyAsync(c2, Manifests.Seed("04-globaltrafficpolicy.yaml"));
        var pods1 = await PodNamesAsync(c1, "httpbin", "app=pipy");
        var pods3 = await PodNamesAsync(c3, "httpbin", "app=pipy");
        var answers = await Eventually.Until(
            async () => { var batch = new List<string>(); for (var i = 0; i < 12; i++) { batch.Add(await CurlAsync(kubectl, curlPod)); } return batch; },
            batch => batch.All(a => pods1.Contains(a) || pods3.Contains(a)) && batch.Any(pods1.Contains) && batch.Any(pods3.Contains),
            "answers from httpbin pods of cluster-1 and cluster-3", Rollout);
        Progress($"walkthrough answered by {string.Join(", ", answers.Distinct().Order())}");

        // The standard API through the chart's identity: an MCS export of httpbin in cluster-1 is imported into
        // cluster-2 with a derived Service whose endpoints are cluster-2's proxy pods, reached by its ClusterSetIP.
        Progress("MCS export of httpbin");
        await c1.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = "multicluster.x-k8s.io/v1beta1",
            ["kind"] = "ServiceExport",
            ["metadata"] = new JsonObject { ["name"] = "httpbin", ["namespace"] = "httpbin" },
        }, "multicluster.x-k8s.io", "v1beta1", "httpbin", "serviceexports");
        var derivedName = Interfaces.Mcs.McsNames.DerivedName("httpbin", "httpbin");
        var derived = await Eventually.Until(() => ReadServiceOrNullAsync(c2, "httpbin", derivedName), d => d?.Spec?.ClusterIP is { Length: > 0 }, "the derived Service in cluster-2", Rollout);
        Progress($"derived Service {derivedName}: {derived!.Spec.ClusterIP} ports {string.Join(",", derived.Spec.Ports.Select(p => $"{p.Name}/{p.Port}"))}");
        var proxyPods = (await c2.CoreV1.ListNamespacedPodAsync(ContainerClusterset.Namespace, labelSelector: "app.kubernetes.io/component=proxy")).Items
            .Where(p => p.Status?.PodIP is { Length: > 0 }).Select(p => p.Status.PodIP).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(proxyPods);
        await Eventually.Until(() => c2.DiscoveryV1.ListNamespacedEndpointSliceAsync("httpbin", labelSelector: $"kubernetes.io/service-name={derivedName}"),
            l => l.Items.SelectMany(s => s.Endpoints ?? []).SelectMany(e => e.Addresses).Order(StringComparer.Ordinal).SequenceEqual(proxyPods),
            "the derived Service's endpoints at cluster-2's proxy pods", Rollout);
        // A connection to the ClusterSetIP, as a pod's would be carried (the sandbox's kube-proxy listens on it), lands
        // on the proxy container's listener for that port, which tunnels it to cluster-1's gateway container and on
        // to an httpbin pod of cluster-1, which answers its name.
        await Eventually.Until(() => RawHttp.TryGetAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(derived.Spec.ClusterIP), 8080), "/"),
            a => a.Status == 200 && pods1.Contains(a.Body.Trim()), "the ClusterSetIP answered by an httpbin pod of cluster-1 through cluster-2's proxy", Rollout);

        // A silo pod deleted: the StatefulSet replaces it and reconciliation goes on.
        var victim = $"{set.SiloSet}-1";
        var before = await control.CoreV1.ReadNamespacedPodAsync(victim, ContainerClusterset.Namespace);
        Progress($"kubectl delete pod {victim}");
        (await set.Kubectl(ContainerClusterset.ControlPlane).RunAsync("delete", "pod", victim, "-n", ContainerClusterset.Namespace)).AssertSuccess();
        await Eventually.Until(() => ReadySilosAsync(control, set.SiloSet),
            ready => ready.Count == 3 && ready.Any(p => p.Metadata.Name == victim && p.Metadata.Uid != before.Metadata.Uid), $"{victim} replaced and Ready", Rollout);
        (await set.Kubectl("cluster-3").RunAsync("scale", "deployment/httpbin", "-n", "httpbin", "--replicas=3")).AssertSuccess();
        var scaled3 = await Eventually.Until(() => PodNamesAsync(c3, "httpbin", "app=pipy"), p => p.Count == 3, "cluster-3 runs three httpbin pods");
        var added = scaled3.Except(pods3).Single();
        await Eventually.Until(() => CurlAsync(kubectl, curlPod), a => a == added, $"the new pod {added} answers after the silo's replacement", Rollout);
        Assert.Equal([Cluster1, Cluster3], Manifests.EndpointClusters(await Manifests.GetImportAsync(c2, "httpbin", "httpbin")));

        // helm upgrade with a changed value: the silos roll one at a time, requests keep flowing, no import is lost.
        Progress("helm upgrade (a changed setting): rolling the silos");
        var proxy = set.Sandbox["cluster-2"].ClientProxy!;
        using var traffic = new TrafficLoop(proxy, new Uri(SeedUrl));
        var watch = new RolloutWatch(control, set.SiloSet, ContainerClusterset.Namespace);
        var rolling = watch.RunAsync();
        await set.HelmAsync(ContainerClusterset.ControlPlane, "upgrade", ContainerClusterset.Release, Helm.Chart, "-n", ContainerClusterset.Namespace,
            "--reuse-values", "--set", "settings.Health__ProbeInterval=00:00:00.600");
        await Eventually.Until(() => control.AppsV1.ReadNamespacedStatefulSetAsync(set.SiloSet, ContainerClusterset.Namespace),
            s => s.Status.UpdateRevision is { } rev && s.Status.CurrentRevision == rev && s.Status.UpdatedReplicas == 3 && s.Status.ReadyReplicas == 3
                && s.Status.ObservedGeneration >= s.Metadata.Generation,
            "the silos rolled to the new revision", Rollout);
        watch.Stop();
        await rolling;
        var sent = traffic.Stop();
        Progress($"rollout: {watch.Replaced.Count} pods replaced in order {string.Join(", ", watch.Replaced)}, at most {watch.MaxUnavailable} unavailable; {sent.Requests} requests, {sent.Failures.Count} failed");
        Assert.Equal([$"{set.SiloSet}-2", $"{set.SiloSet}-1", $"{set.SiloSet}-0"], watch.Replaced);
        Assert.True(watch.MaxUnavailable <= 1, $"{watch.MaxUnavailable} silos were unavailable at once");
        Assert.True(sent.Requests > 0, "no request was sent during the rollout");
        Assert.True(sent.Failures.Count == 0, $"failed requests during the rollout: {string.Join("; ", sent.Failures.Take(5))}");
        Assert.Equal([Cluster1, Cluster3], Manifests.EndpointClusters(await Manifests.GetImportAsync(c2, "httpbin", "httpbin")));

        // One rule removed from cluster-1's reconciler ClusterRole: the system names the forbidden verb and resource.
        Progress("removing the ingresses rule from cluster-1's reconciler ClusterRole");
        var role = (await c1.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Single(r => r.Metadata.Name.EndsWith("-reconciler-access", StringComparison.Ordinal));
        role.Rules = [.. role.Rules.Where(r => r.Resources?.Contains("ingresses") != true)];
        await c1.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, role.Metadata.Name);
        await Workloads.DeployAsync(c1, "echo", "echo", replicas: 1);
        await Workloads.ExportAsync(c1, "echo", "echo", portNumber: 8080);
        var reported = await Eventually.Until(() => ForbiddenReportsAsync(control, c1),
            reports => reports.Any(r => r.Contains("ingresses", StringComparison.Ordinal) && r.Contains("forbidden", StringComparison.OrdinalIgnoreCase)),
            "a condition or Event naming the forbidden ingresses verb", Rollout);
        Progress($"reported: {reported.First(r => r.Contains("ingresses", StringComparison.Ordinal))}");
        var silos = await ReadySilosAsync(control, set.SiloSet);
        Assert.Equal(3, silos.Count);
        Assert.All(silos, p => Assert.Equal(0, p.Status.ContainerStatuses.Single().RestartCount));
        Progress($"done in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task<List<V1Pod>> ReadySilosAsync(IKubernetes control, string set) =>
        [.. (await control.CoreV1.ListNamespacedPodAsync(ContainerClusterset.Namespace)).Items.Where(p =>
            p.Metadata.Name.StartsWith(set + "-", StringComparison.Ordinal) && p.Metadata.DeletionTimestamp is null
            && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)];

    private static async Task<List<string>> ForbiddenReportsAsync(IKubernetes control, IKubernetes member)
    {
        var reports = new List<string>();
        var cluster = await control.CustomObjects.GetClusterCustomObjectAsync("flomesh.io", "v1alpha1", "clusters", "cluster-1");
        foreach (var condition in (JsonNode.Parse(cluster.ToString()!)?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            reports.Add($"Cluster condition {condition["type"]}={condition["status"]} {condition["reason"]}: {condition["message"]}");
        }

        foreach (var e in (await control.CoreV1.ListEventForAllNamespacesAsync()).Items)
        {
            reports.Add($"control-plane Event {e.Reason} on {e.InvolvedObject.Kind}/{e.InvolvedObject.Name}: {e.Message}");
        }

        foreach (var e in (await member.CoreV1.ListEventForAllNamespacesAsync()).Items)
        {
            reports.Add($"cluster-1 Event {e.Reason} on {e.InvolvedObject.Kind}/{e.InvolvedObject.Name}: {e.Message}");
        }

        var export = await Manifests.GetExportAsync(member, "echo", "echo");
        foreach (var condition in export?.Status?.Conditions ?? [])
        {
            reports.Add($"ServiceExport condition {condition.Type}={condition.Status} {condition.Reason}: {condition.Message}");
        }

        return reports;
    }

    private static async Task<string> CurlAsync(KubectlRunner kubectl, string pod)
    {
        var result = await kubectl.RunAsync("exec", pod, "-n", "curl", "-c", "curl", "--", "curl", "-s", SeedUrl);
        return result.ExitCode == 0 ? result.Stdout.Trim() : $"exit {result.ExitCode}: {result.Stderr.Trim()}";
    }

    private static async Task<V1Service?> ReadServiceOrNullAsync(IKubernetes client, string ns, string name) =>
        (await client.CoreV1.ListNamespacedServiceAsync(ns, fieldSelector: $"metadata.name={name}")).Items.SingleOrDefault();

    private static async Task<HashSet<string>> PodNamesAsync(IKubernetes client, string ns, string selector) =>
        (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items
            .Where(p => p.Metadata.DeletionTimestamp is null)
            .Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
}
