using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// A member's multicluster.x-k8s.io ServiceExport conditions and Events over KubernetesClient. Each export's
/// conditions have one <see cref="ConditionWriter"/> here (the engine's queue never runs one export's work twice at
/// once). The v1beta1 status holds only conditions (each with its observedGeneration): nothing else is written.
/// </summary>
public sealed class KubernetesMemberMcsExportApi(Func<Task<IKubernetes>> client, TimeProvider time) : IMemberMcsExportApi
{
    private static readonly IReadOnlyDictionary<string, JsonNode?> NoFields = new Dictionary<string, JsonNode?>();
    private readonly ConcurrentDictionary<(string Namespace, string Name), Owner> _owners = new();

    public async Task<ConditionChange> WriteConditionsAsync(WriteMcsExportConditions work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var kube = await client();
        var key = (work.Namespace, work.Name);

        // A recreated export (new uid) starts from nothing: what was read of the old one says nothing about it.
        var owner = _owners.TryGetValue(key, out var held) && held.Uid == work.Uid
            ? held
            : _owners[key] = new Owner(work.Uid, new ConditionWriter(McsNames.ServiceExports, work.Namespace, work.Name, time, group: McsNames.Group, version: McsNames.Version));
        owner.Writer.SeedEmpty(work.SeedResourceVersion);
        var conditions = work.Conditions;
        return await owner.Writer.WriteAsync(kube,
        [
            Update(McsNames.Conditions.Valid, conditions.Valid, work.Generation),
            Update(McsNames.Conditions.Ready, conditions.Ready, work.Generation),
            conditions.Conflict is { } conflict
                ? Update(McsNames.Conditions.Conflict, conflict, work.Generation)
                : new ConditionUpdate(McsNames.Conditions.Conflict, false, "", "", null) { Remove = true },
        ], NoFields, cancellationToken);
    }

    public async Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        _owners.TryRemove((ns, name), out _);
        await ConditionWriter.ClearAsync(await client(), McsNames.ServiceExports, ns, name, cancellationToken, McsNames.Group, McsNames.Version);
    }

    public async Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken) =>
        await KubeEvents.RecordAsync(await client(), McsNames.ApiVersion, McsNames.ServiceExportKind, ns, name, uid, warning, reason, message, cancellationToken, time);

    private static ConditionUpdate Update(string type, McsCondition condition, long generation) =>
        new(type, condition.Status == McsCondition.True, condition.Reason, condition.Message, generation) { Text = condition.Status };

    private sealed record Owner(string Uid, ConditionWriter Writer);
}
