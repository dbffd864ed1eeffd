using System.Collections.Concurrent;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The last decision held per object: what the queue's next run for a key writes, and what a drifted import is
/// written again from. The writer grain adds, the workers and the drift watch read; every change is one atomic swap
/// of an immutable value, so no lock is needed.
/// </summary>
public sealed class HeldDecisions
{
    private readonly ConcurrentDictionary<WorkKey, ImportSlot> _imports = new();
    private readonly ConcurrentDictionary<WorkKey, PatchPolicyConditions> _policies = new();
    private volatile bool _retired;

    /// <summary>Keeps <paramref name="work"/> merged with what is held; its key, or null once retired.</summary>
    public WorkKey? Hold(ImportWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_retired)
        {
            return null;
        }

        if (work is PatchPolicyConditions policy)
        {
            var policyKey = new WorkKey(WorkTarget.TrafficPolicy, work.Namespace, work.Name);
            _policies[policyKey] = policy;
            return policyKey;
        }

        var key = new WorkKey(WorkTarget.ServiceImport, work.Namespace, work.Name);
        _imports.AddOrUpdate(key, static (_, w) => ImportSlot.Empty.Merge(w), static (_, slot, w) => slot.Merge(w), work);
        return key;
    }

    public ImportSlot? Import(WorkKey key) => _imports.GetValueOrDefault(key);

    public PatchPolicyConditions? Policy(WorkKey key) => _policies.GetValueOrDefault(key);

    /// <summary>The spec decided for the import, if it should exist.</summary>
    public ApplyImport? Wanted(WorkKey key) => Import(key)?.Apply;

    /// <summary>
    /// Every held import decision, for the level-triggered resync; read while it may change, which is safe: a decision
    /// held meanwhile is queued by its own <see cref="MemberImportWriter.Submit"/>.
    /// </summary>
    public IEnumerable<KeyValuePair<WorkKey, ImportSlot>> Imports => _imports;

    /// <summary>A delete landed: forget it, unless a newer decision came meanwhile.</summary>
    public void Deleted(WorkKey key, ImportSlot written) => _imports.TryRemove(new KeyValuePair<WorkKey, ImportSlot>(key, written));

    /// <summary>Takes no more decisions and drops those held.</summary>
    public void Retire()
    {
        _retired = true;
        _imports.Clear();
        _policies.Clear();
    }
}
