using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using k8s.Models;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>MCS conflict rules: the oldest export wins, every export involved is marked, the mark clears once fixed.</summary>
[Collection(ReconcilerCollection.Name)]
public sealed class ConflictTests(ReconcilerFixture fixture)
{
    private const string Cluster1 = "default/default/default/cluster-1";

    [Fact]
    public async Task A_port_conflict_marks_both_exports_keeps_the_oldest_and_clears_when_fixed()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, "conflict-port", "api", port: 8080, portName: "http");
        await Workloads.ExportAsync(c1, "conflict-port", "api");
        await Eventually.Until(() => Manifests.GetImportAsync(c3, "conflict-port", "api"),
            i => Manifests.EndpointClusters(i).SequenceEqual([Cluster1]), "cluster-1's export imported first (it is the oldest)");

        // cluster-2 exports the same name with a different port under the same port name.
        await Workloads.DeployAsync(c2, "conflict-port", "api", port: 9090, portName: "http");
        await Workloads.ExportAsync(c2, "conflict-port", "api");

        foreach (var client in new[] { c1, c2 })
        {
            var marked = await Eventually.Until(() => Manifests.GetExportAsync(client, "conflict-port", "api"),
                e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Conflict)?.Status == "True", "both exports report Conflict=True");
            Assert.Equal(ConditionReasons.PortConflict, Manifests.ConditionOf(marked!.Status!.Conditions, ConditionTypes.Conflict)!.Reason);
        }

        // The transition is also an event on the export, for `kubectl describe sexp`.
        var events = await Eventually.Until(() => c2.CoreV1.ListNamespacedEventAsync("conflict-port", fieldSelector: "involvedObject.name=api,involvedObject.kind=ServiceExport"),
            list => list.Items.Any(e => e.Reason == ConditionReasons.PortConflict), "a PortConflict event on the export");
        Assert.Equal("Warning", events.Items.First(e => e.Reason == ConditionReasons.PortConflict).Type);

        var import = await Manifests.GetImportAsync(c3, "conflict-port", "api");
        Assert.Equal(8080, import!.Spec.Ports!.Single().Port);
        Assert.Equal([Cluster1], Manifests.EndpointClusters(import));

        // Fix the disagreement: cluster-2's Service now agrees; the conflict clears on both and both contribute.
        await c2.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":8080,\"targetPort\":8080,\"protocol\":\"TCP\"}]}}", V1Patch.PatchType.MergePatch), "api", "conflict-port");
        foreach (var client in new[] { c1, c2 })
        {
            var cleared = await Eventually.Until(() => Manifests.GetExportAsync(client, "conflict-port", "api"),
                e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Conflict)?.Status == "False", "conflict cleared");
            Assert.Equal(ConditionReasons.NoConflicts, Manifests.ConditionOf(cleared!.Status!.Conditions, ConditionTypes.Conflict)!.Reason);
        }

        await Eventually.Until(() => Manifests.GetImportAsync(c3, "conflict-port", "api"),
            i => Manifests.EndpointClusters(i).Length == 2, "both clusters contribute once they agree");
    }

    [Fact]
    public async Task A_type_conflict_is_reported_with_its_reason()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, "conflict-type", "db", port: 5432);
        await Workloads.ExportAsync(c1, "conflict-type", "db");
        await Eventually.Until(() => Manifests.GetImportAsync(c1, "conflict-type", "db"), i => i is not null, "first export imported");

        await Workloads.DeployAsync(c3, "conflict-type", "db", port: 5432, headless: true);
        await Workloads.ExportAsync(c3, "conflict-type", "db");

        var marked = await Eventually.Until(() => Manifests.GetExportAsync(c3, "conflict-type", "db"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Conflict)?.Status == "True", "the newer export is in conflict");
        Assert.Equal(ConditionReasons.TypeConflict, Manifests.ConditionOf(marked!.Status!.Conditions, ConditionTypes.Conflict)!.Reason);
        var import = await Manifests.GetImportAsync(c1, "conflict-type", "db");
        Assert.Equal("ClusterSetIP", import!.Spec.Type);
    }
}
