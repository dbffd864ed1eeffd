using System.Text.Json;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>
/// The MCS export engine against a sandbox member with the upstream multicluster.x-k8s.io CRD: it writes Valid,
/// Ready (Unknown included) and Conflict in the metav1.Condition shape with observedGeneration through the status
/// subresource, removes Conflict when told, retries a failing API under the retry contract, tells each transition
/// once as an Event on the export, and clears its conditions when the member leaves.
/// </summary>
public sealed class MemberMcsExportWriterTests : SandboxContext
{
    private static readonly McsCondition Valid = new(McsCondition.True, McsNames.Reasons.Valid, "ServiceExport is valid");
    private static readonly McsCondition Pending = new(McsCondition.Unknown, McsNames.Reasons.Pending, "waiting for the clusterset");
    private static readonly McsCondition Exported = new(McsCondition.True, McsNames.Reasons.Exported, "the service is exported to the clusterset");

    [Fact]
    public async Task Conditions_are_written_with_observedGeneration_and_transitions_told_once()
    {
        using var client = Client();
        var uid = await CreateExportAsync(client);
        await using var writer = Writer(client);

        writer.Submit(Write(uid, new McsExportConditions(Valid, Pending, null)));
        var first = await Eventually.Until(() => ConditionsAsync(client), c => c.Count == 2, "Valid and Ready written");
        Assert.Equal(("True", "Valid", 1L), (first["Valid"].Status, first["Valid"].Reason, first["Valid"].ObservedGeneration!.Value));
        Assert.Equal(("Unknown", "Pending"), (first["Ready"].Status, first["Ready"].Reason));
        Assert.NotNull(first["Ready"].LastTransitionTime);
        await writer.WhenSettledAsync("shop", "web");
        Assert.Empty(await EventsAsync(client));

        // The API fails a few times: the write comes back after its backoff and lands, and is told once.
        Cluster.Faults.FailRequests(500, 3);
        var conflict = new McsCondition(McsCondition.True, McsNames.Reasons.PortConflict, "Conflicting ports. 1/2 clusters disagree.");
        writer.Submit(Write(uid, new McsExportConditions(Valid, Exported, conflict)));
        var second = await Eventually.Until(() => ConditionsAsync(client), c => c.Count == 3 && c["Ready"].Status == "True", "Ready and Conflict written");
        Assert.Equal(("True", "PortConflict"), (second["Conflict"].Status, second["Conflict"].Reason));
        var events = await Eventually.Until(() => EventsAsync(client), e => e.Count == 2, "two transitions told");
        Assert.Contains(events, e => e is { Type: "Warning", Reason: "PortConflict" });
        Assert.Contains(events, e => e is { Type: "Normal", Reason: "Exported" });
        Assert.All(events, e => Assert.Equal((McsNames.ApiVersion, McsNames.ServiceExportKind, uid), (e.InvolvedObject.ApiVersion, e.InvolvedObject.Kind, e.InvolvedObject.Uid)));

        // The same decision again writes nothing and tells nothing; Conflict absent is removed.
        writer.Submit(Write(uid, new McsExportConditions(Valid, Exported, conflict)));
        await Eventually.Until(() => Task.FromResult(writer.Pending), p => p == 0, "settled");
        writer.Submit(Write(uid, new McsExportConditions(new McsCondition(McsCondition.False, McsNames.Reasons.NoService, "no Service"), new McsCondition(McsCondition.False, McsNames.Reasons.Pending, "no Service"), null)));
        var third = await Eventually.Until(() => ConditionsAsync(client), c => !c.ContainsKey("Conflict"), "Conflict removed");
        Assert.Equal(("False", "NoService"), (third["Valid"].Status, third["Valid"].Reason));
        await Eventually.Until(() => EventsAsync(client), e => e.Count(x => x is { Type: "Warning", Reason: "NoService" }) == 1, "the turn to invalid told");
    }

    [Fact]
    public async Task A_leaving_member_clears_the_conditions_and_a_gone_export_is_not_retried()
    {
        using var client = Client();
        var uid = await CreateExportAsync(client);
        await using var writer = Writer(client);
        writer.Submit(Write(uid, new McsExportConditions(Valid, Exported, null)));
        await Eventually.Until(() => ConditionsAsync(client), c => c.Count == 2, "written");

        writer.Submit(new ClearMcsExportConditions("shop", "web"));
        await Eventually.Until(() => ConditionsAsync(client), c => c.Count == 0, "cleared");

        // An export that is gone ends its work (404): nothing keeps failing.
        writer.Submit(new WriteMcsExportConditions("shop", "gone", "uid-gone", 1, new McsExportConditions(Valid, Exported, null)));
        await writer.WhenSettledAsync("shop", "gone").WaitAsync(TimeSpan.FromSeconds(60));

        // The clear of shop/web may still be finishing its turn: once every export settled, nothing is left (a retried
        // 404 would never settle).
        await writer.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, writer.Pending);
    }

    private static WriteMcsExportConditions Write(string uid, McsExportConditions conditions) => new("shop", "web", uid, 1, conditions);

    private static MemberMcsExportWriter Writer(Kubernetes client)
    {
        var retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) };
        var writer = new MemberMcsExportWriter("r/z/g/m1", new KubernetesMemberMcsExportApi(() => Task.FromResult<IKubernetes>(client), TimeProvider.System),
            new WriterSettings(4, retry, TimeSpan.FromSeconds(10)), TimeProvider.System, NullLogger.Instance);
        writer.Start();
        return writer;
    }

    private static async Task<string> CreateExportAsync(Kubernetes client)
    {
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CrdManifests.Get(McsCrds.Names[0]));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        var raw = await Eventually.Until(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(new McsServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
        }, McsNames.Group, McsNames.Version, "shop", McsNames.ServiceExports), o => o is not null, "the export created");
        return ((JsonElement)raw).GetProperty("metadata").GetProperty("uid").GetString()!;
    }

    private static async Task<Dictionary<string, Condition>> ConditionsAsync(Kubernetes client)
    {
        var raw = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, "shop", McsNames.ServiceExports, "web");
        var export = raw.Deserialize<McsServiceExportResource>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return (export.Status?.Conditions ?? []).ToDictionary(c => c.Type, StringComparer.Ordinal);
    }

    private static async Task<List<Corev1Event>> EventsAsync(Kubernetes client) =>
        [.. (await client.CoreV1.ListNamespacedEventAsync("shop")).Items.Where(e => e.InvolvedObject?.Name == "web")];
}
