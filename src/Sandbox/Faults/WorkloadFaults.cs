using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Faults;

/// <summary>
/// The faults set per Deployment (namespace and name). A pod looks its workload up on every request, so a fault
/// applies at once to the pods that run now and to those created later.
/// </summary>
public sealed class WorkloadFaults
{
    private readonly ConcurrentDictionary<(string Namespace, string Deployment), WorkloadFault> _faults = new();
    private int _hanging;

    public bool IsEmpty => _faults.IsEmpty;

    /// <summary>How many requests pods of this cluster hold unanswered right now (hang mode).</summary>
    public int HangingRequests => Volatile.Read(ref _hanging);

    /// <summary>Sets the fault of a Deployment; <see cref="WorkloadFault.None"/> clears it.</summary>
    public void Set(string ns, string deployment, WorkloadFault fault)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        if (fault.Mode == WorkloadFaultMode.None)
        {
            _faults.TryRemove((ns, deployment), out _);
        }
        else
        {
            _faults[(ns, deployment)] = fault;
        }
    }

    public WorkloadFault Get(string ns, string deployment) =>
        !_faults.IsEmpty && _faults.TryGetValue((ns, deployment), out var fault) ? fault : WorkloadFault.None;

    public void Clear() => _faults.Clear();

    internal void HangStarted() => Interlocked.Increment(ref _hanging);

    internal void HangEnded() => Interlocked.Decrement(ref _hanging);

    public JsonArray Describe() => new(_faults
        .OrderBy(f => f.Key.Namespace, StringComparer.Ordinal)
        .ThenBy(f => f.Key.Deployment, StringComparer.Ordinal)
        .Select(f =>
        {
            var json = new JsonObject { ["namespace"] = f.Key.Namespace, ["deployment"] = f.Key.Deployment };
            foreach (var (field, value) in f.Value.ToJson())
            {
                json[field] = value?.DeepClone();
            }

            return (JsonNode)json;
        })
        .ToArray());
}
