using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;

namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>
/// A member's ServiceExport Ingresses, conditions and Events over KubernetesClient. Each export's conditions have
/// one <see cref="ConditionWriter"/> here (the engine's queue never runs one export's work twice at once).
/// </summary>
public sealed class KubernetesMemberExportApi(Func<Task<IKubernetes>> client, TimeProvider time) : IMemberExportApi
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), Owner> _owners = new();

    public async Task ApplyIngressAsync(string ns, string name, ExportIngress ingress, CancellationToken cancellationToken) =>
        await IngressWriter.ApplyAsync(await client(), ns, name, ingress, cancellationToken);

    public async Task DeleteIngressAsync(string ns, string name, CancellationToken cancellationToken) =>
        await IngressWriter.DeleteAsync(await client(), ns, name, cancellationToken);

    public async Task<ConditionChange> WriteConditionsAsync(WriteExportConditions work, CancellationToken cancellationToken)
    {
        var kube = await client();
        var key = (work.Namespace, work.Name);

        // A recreated export (new uid) starts from nothing: what was read of the old one says nothing about it.
        var owner = _owners.TryGetValue(key, out var held) && held.Uid == work.Uid
            ? held
            : _owners[key] = new Owner(work.Uid, new ConditionWriter(ServiceExportResource.Plural, work.Namespace, work.Name, time));
        owner.Writer.SeedEmpty(work.SeedResourceVersion);
        var status = work.Status;
        return await owner.Writer.WriteAsync(kube,
        [
            new ConditionUpdate(ConditionTypes.Valid, status.Valid, status.ValidReason, status.ValidMessage, work.Generation),
            new ConditionUpdate(ConditionTypes.Conflict, status.Conflict.Conflict, status.Conflict.Reason, status.Conflict.Message, work.Generation),
        ], new Dictionary<string, JsonNode?> { ["observedGeneration"] = work.Generation }, cancellationToken);
    }

    public async Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        _owners.TryRemove((ns, name), out _);
        await ConditionWriter.ClearAsync(await client(), ServiceExportResource.Plural, ns, name, cancellationToken);
    }

    public async Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken) =>
        await KubeEvents.RecordAsync(await client(), "ServiceExport", ns, name, uid, warning, reason, message, cancellationToken);

    private sealed record Owner(string Uid, ConditionWriter Writer);
}
