using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Exports;

namespace ErieCanal.Orleans.Watchers.Tests.Exports;

/// <summary>A member's exports in memory: records every call and holds each export's conditions.</summary>
public sealed class FakeMemberExportApi : IMemberExportApi
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, IReadOnlyList<Condition>> Conditions { get; } = new(StringComparer.Ordinal);

    /// <summary>Calls fail while this is set (the member is unreachable).</summary>
    public volatile string? FailWith;

    /// <summary>Calls wait for this while it is set (the member is slow).</summary>
    public volatile TaskCompletionSource? Hold;

    private int _entered;

    /// <summary>Calls started, held or not.</summary>
    public int Entered => Volatile.Read(ref _entered);

    public int CountOf(string call) => Calls.Count(c => c.StartsWith(call, StringComparison.Ordinal));

    /// <summary>Ingress writes are refused by RBAC while this is set, with kube-apiserver's 403 Status.</summary>
    public volatile bool ForbidIngresses;

    public async Task ApplyIngressAsync(string ns, string name, ExportIngress ingress, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        if (ForbidIngresses)
        {
            throw new k8s.Autorest.HttpOperationException("Operation returned an invalid status code 'Forbidden'")
            {
                Response = new k8s.Autorest.HttpResponseMessageWrapper(
                    new HttpResponseMessage(System.Net.HttpStatusCode.Forbidden),
                    $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"ingresses.networking.k8s.io "svcexp-ing-{{name}}" is forbidden: User "system:serviceaccount:ec:reconciler" cannot patch resource "ingresses" in API group "networking.k8s.io" in the namespace "{{ns}}"","reason":"Forbidden","code":403}"""),
            };
        }

        Calls.Enqueue($"apply {ns}/{name} {ingress.Paths[0].Path}");
    }

    public async Task DeleteIngressAsync(string ns, string name, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        Calls.Enqueue($"delete {ns}/{name}");
    }

    public async Task<ConditionChange> WriteConditionsAsync(WriteExportConditions work, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        var key = $"{work.Namespace}/{work.Name}";
        var before = Conditions.GetValueOrDefault(key) ?? [];
        var after = ConditionList.Set(before.ToList(), ConditionTypes.Valid, work.Status.Valid, work.Status.ValidReason, work.Status.ValidMessage, work.Generation, DateTime.UnixEpoch);
        after = ConditionList.Set(after, ConditionTypes.Conflict, work.Status.Conflict.Conflict, work.Status.Conflict.Reason, work.Status.Conflict.Message, work.Generation, DateTime.UnixEpoch);
        var written = !ConditionList.SameState(after, before) || before.Count == 0;
        Conditions[key] = after;
        Calls.Enqueue($"conditions {key} {work.Status.ValidReason}");
        return new ConditionChange(before, after, written);
    }

    public async Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        Conditions.TryRemove($"{ns}/{name}", out _);
        Calls.Enqueue($"clear {ns}/{name}");
    }

    public async Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        Calls.Enqueue($"event {ns}/{name} {reason} {message}");
    }

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _entered);
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (FailWith is { } message)
        {
            throw new HttpRequestException(message);
        }
    }
}
