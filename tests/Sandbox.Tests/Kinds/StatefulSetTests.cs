using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>
/// The StatefulSet controller as kube-controller-manager runs it: ordinal pods with stable names, hostnames and
/// claims, OrderedReady and Parallel pod management, replacement, RollingUpdate with a partition, OnDelete, and
/// the status kubectl rollout status reads.
/// </summary>
public sealed class StatefulSetTests(KindsFixture fixture) : IClassFixture<KindsFixture>
{
    private static V1StatefulSet Web(string ns, int replicas, string policy = "OrderedReady", string strategy = "RollingUpdate", string image = "nginx:1") =>
        KubernetesYaml.Deserialize<V1StatefulSet>($"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: web
              namespace: {ns}
            spec:
              serviceName: web-headless
              replicas: {replicas}
              podManagementPolicy: {policy}
              updateStrategy:
                type: {strategy}
              selector:
                matchLabels: {"{"}app: web{"}"}
              template:
                metadata:
                  labels: {"{"}app: web{"}"}
                spec:
                  containers:
                  - name: web
                    image: {image}
              volumeClaimTemplates:
              - metadata:
                  name: data
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 1Gi
            """);

    private static async Task<V1StatefulSet> RolledOutAsync(Kubernetes client, string ns, int replicas) =>
        await Eventually.Until(() => client.AppsV1.ReadNamespacedStatefulSetAsync("web", ns),
            s => s.Status?.ReadyReplicas == replicas && s.Status.Replicas == replicas && s.Status.UpdatedReplicas == replicas
                 && s.Status.CurrentRevision == s.Status.UpdateRevision && s.Status.ObservedGeneration == s.Metadata.Generation,
            $"statefulset {ns}/web to have {replicas} ready, updated pods");

    [Fact]
    public async Task OrderedReady_creates_pods_in_ordinal_order_each_after_the_previous_is_ready()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-ordered");
        await using var log = await PodEventLog.StartAsync(client, ns);
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 3), ns);
        await RolledOutAsync(client, ns, 3);
        await Eventually.Until(() => log.IndexOf(e => e.Name == "web-2" && e.Ready) >= 0, "web-2 ready in the watch");

        var added = log.Events.Where(e => e.Type == WatchEventType.Added).Select(e => e.Name).ToList();
        Assert.Equal(["web-0", "web-1", "web-2"], added);
        Assert.True(log.IndexOf(e => e.Name == "web-0" && e.Ready) < log.IndexOf(e => e.Type == WatchEventType.Added && e.Name == "web-1"), "web-1 came before web-0 was Ready");
        Assert.True(log.IndexOf(e => e.Name == "web-1" && e.Ready) < log.IndexOf(e => e.Type == WatchEventType.Added && e.Name == "web-2"), "web-2 came before web-1 was Ready");
    }

    [Fact]
    public async Task Pods_carry_ordinal_labels_hostname_subdomain_and_their_own_bound_claim()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-identity");
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 2), ns);
        var sts = await RolledOutAsync(client, ns, 2);

        var pod = await client.CoreV1.ReadNamespacedPodAsync("web-1", ns);
        Assert.Equal("web-1", pod.Metadata.Labels["statefulset.kubernetes.io/pod-name"]);
        Assert.Equal("1", pod.Metadata.Labels["apps.kubernetes.io/pod-index"]);
        Assert.Equal(sts.Status.UpdateRevision, pod.Metadata.Labels["controller-revision-hash"]);
        Assert.Equal("web-1", pod.Spec.Hostname);
        Assert.Equal("web-headless", pod.Spec.Subdomain);
        Assert.Equal("default", pod.Spec.ServiceAccountName);
        Assert.Equal("data-web-1", Assert.Single(pod.Spec.Volumes, v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.Equal("StatefulSet", Assert.Single(pod.Metadata.OwnerReferences).Kind);

        var claim = await Eventually.Until(() => client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-web-1", ns), c => c.Status?.Phase == "Bound", "data-web-1 bound");
        Assert.Equal("web", claim.Metadata.Labels["app"]);
        Assert.Equal($"pvc-{claim.Metadata.Uid}", claim.Spec.VolumeName);
        Assert.Equal("1Gi", claim.Status.Capacity["storage"].ToString());

        var revisions = await client.AppsV1.ListNamespacedControllerRevisionAsync(ns);
        Assert.Equal(sts.Status.UpdateRevision, Assert.Single(revisions.Items).Metadata.Name);
        Assert.Equal(1, revisions.Items[0].Revision);
    }

    [Fact]
    public async Task A_deleted_pod_comes_back_under_its_name_with_its_claim_and_a_failed_one_is_replaced()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-replace");
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 2), ns);
        await RolledOutAsync(client, ns, 2);
        var claim = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-web-1", ns);
        var before = await client.CoreV1.ReadNamespacedPodAsync("web-1", ns);

        await fixture.Kubectl.RunAsync("delete", "pod", "web-1", "-n", ns).ContinueWith(t => t.Result.AssertSuccess());
        var replaced = await Eventually.Until(() => client.CoreV1.ReadNamespacedPodAsync("web-1", ns),
            p => p.Metadata.Uid != before.Metadata.Uid && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "web-1 replaced and ready");
        Assert.Equal("data-web-1", replaced.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.Equal(claim.Metadata.Uid, (await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-web-1", ns)).Metadata.Uid);

        var failed = await client.CoreV1.ReadNamespacedPodAsync("web-0", ns);
        failed.Status.Phase = "Failed";
        failed.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "False" }];
        await client.CoreV1.ReplaceNamespacedPodStatusAsync(failed, "web-0", ns);
        await Eventually.Until(() => client.CoreV1.ReadNamespacedPodAsync("web-0", ns),
            p => p.Metadata.Uid != failed.Metadata.Uid && p.Status.Phase == "Running", "failed web-0 replaced by a running one");
    }

    [Fact]
    public async Task OrderedReady_scales_down_from_the_highest_ordinal_and_claims_stay()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-scale");
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 3), ns);
        await RolledOutAsync(client, ns, 3);
        await using var log = await PodEventLog.StartAsync(client, ns);

        (await fixture.Kubectl.RunAsync("scale", "statefulset", "web", "--replicas=1", "-n", ns)).AssertSuccess();
        await RolledOutAsync(client, ns, 1);
        await Eventually.Until(() => log.Events.Count(e => e.Type == WatchEventType.Deleted) == 2, "two pods deleted");

        Assert.Equal(["web-2", "web-1"], log.Events.Where(e => e.Type == WatchEventType.Deleted).Select(e => e.Name));
        var claims = await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns);
        Assert.Equal(["data-web-0", "data-web-1", "data-web-2"], claims.Items.Select(c => c.Metadata.Name).Order());
    }

    [Fact]
    public async Task Parallel_creates_every_pod_without_waiting()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-parallel");
        await using var log = await PodEventLog.StartAsync(client, ns);
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 3, policy: "Parallel"), ns);
        await RolledOutAsync(client, ns, 3);
        await Eventually.Until(() => log.Events.Count(e => e.Ready) >= 3, "three ready pods in the watch");

        var lastAdded = log.Events.ToList().FindLastIndex(e => e.Type == WatchEventType.Added);
        Assert.True(lastAdded < log.IndexOf(e => e.Ready), $"every pod was created before the first was ready: {string.Join(", ", log.Events)}");
    }

    [Fact]
    public async Task RollingUpdate_with_a_partition_replaces_pods_from_the_highest_ordinal_down_to_the_partition()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-rolling");
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 3), ns);
        var first = await RolledOutAsync(client, ns, 3);
        (await fixture.Kubectl.RunAsync("rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s")).AssertSuccess();
        await using var log = await PodEventLog.StartAsync(client, ns);

        (await fixture.Kubectl.RunAsync("patch", "statefulset", "web", "-n", ns, "-p",
            """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}},"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}""")).AssertSuccess();
        var status = await fixture.Kubectl.RunAsync(["rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s"], null, TimeSpan.FromSeconds(90));
        status.AssertSuccess();
        Assert.Contains("partitioned roll out complete: 2 new pods have been updated...", status.Stdout);

        var sts = await client.AppsV1.ReadNamespacedStatefulSetAsync("web", ns);
        Assert.NotEqual(sts.Status.CurrentRevision, sts.Status.UpdateRevision);
        Assert.Equal(first.Status.CurrentRevision, sts.Status.CurrentRevision);
        Assert.Equal(2, sts.Status.UpdatedReplicas);
        Assert.Equal(1, sts.Status.CurrentReplicas);
        Assert.Equal(["web-2", "web-1"], log.Events.Where(e => e.Type == WatchEventType.Deleted).Select(e => e.Name));
        Assert.True(log.IndexOf(e => e.Name == "web-2" && e.Ready && e.Type == WatchEventType.Modified) < log.IndexOf(e => e.Type == WatchEventType.Deleted && e.Name == "web-1"),
            "web-1 went before the new web-2 was Ready");
        Assert.Equal("nginx:1", (await client.CoreV1.ReadNamespacedPodAsync("web-0", ns)).Spec.Containers[0].Image);

        (await fixture.Kubectl.RunAsync("patch", "statefulset", "web", "-n", ns, "-p", """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}""")).AssertSuccess();
        var done = await RolledOutAsync(client, ns, 3);
        Assert.Equal("nginx:2", (await client.CoreV1.ReadNamespacedPodAsync("web-0", ns)).Spec.Containers[0].Image);
        Assert.Equal(done.Status.UpdateRevision, done.Status.CurrentRevision);
        var revisions = (await client.AppsV1.ListNamespacedControllerRevisionAsync(ns)).Items.OrderBy(r => r.Revision).ToList();
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision));
        Assert.Equal(done.Status.UpdateRevision, revisions[1].Metadata.Name);
    }

    [Fact]
    public async Task OnDelete_leaves_old_pods_until_they_are_deleted()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-ondelete");
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 2, strategy: "OnDelete"), ns);
        await Eventually.Until(() => client.AppsV1.ReadNamespacedStatefulSetAsync("web", ns), s => s.Status?.ReadyReplicas == 2, "two ready");

        (await fixture.Kubectl.RunAsync("set", "image", "statefulset/web", "web=nginx:2", "-n", ns)).AssertSuccess();
        var sts = await Eventually.Until(() => client.AppsV1.ReadNamespacedStatefulSetAsync("web", ns),
            s => s.Status.ObservedGeneration == 2 && s.Status.UpdateRevision != s.Status.CurrentRevision, "the new revision observed");
        Assert.Null(sts.Status.UpdatedReplicas);
        Assert.All((await client.CoreV1.ListNamespacedPodAsync(ns)).Items, p => Assert.Equal("nginx:1", p.Spec.Containers[0].Image));
        var rollout = await fixture.Kubectl.RunAsync("rollout", "status", "statefulset/web", "-n", ns);
        Assert.Contains("rollout status is only available for RollingUpdate strategy type", rollout.Stderr);

        (await fixture.Kubectl.RunAsync("delete", "pod", "web-0", "-n", ns)).AssertSuccess();
        await Eventually.Until(() => client.CoreV1.ReadNamespacedPodAsync("web-0", ns), p => p.Spec.Containers[0].Image == "nginx:2", "web-0 recreated at the new revision");
        Assert.Equal("nginx:1", (await client.CoreV1.ReadNamespacedPodAsync("web-1", ns)).Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Spec_fields_other_than_the_mutable_ones_are_refused_as_kube_apiserver_words_it()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "sts-immutable");
        var created = await client.AppsV1.CreateNamespacedStatefulSetAsync(Web(ns, 1), ns);
        Assert.Equal("OrderedReady", created.Spec.PodManagementPolicy);
        Assert.Equal(0, created.Spec.UpdateStrategy.RollingUpdate.Partition);
        Assert.Equal(10, created.Spec.RevisionHistoryLimit);
        Assert.Equal("Retain", created.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted);

        var result = await fixture.Kubectl.RunAsync("patch", "statefulset", "web", "-n", ns, "-p", """{"spec":{"serviceName":"other"}}""");
        result.AssertFailure();
        Assert.Contains("The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", result.Stderr);
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("""{"spec":{"serviceName":"other"}}""", V1Patch.PatchType.MergePatch), "web", ns));
        Assert.Equal(422, (int)ex.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Equal("Invalid", status.Reason);
        Assert.StartsWith("StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec", status.Message);
    }
}
