using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// What one member's MCS ServiceImports (and their derived Services and EndpointSlices) must be, decided
/// single-threaded inside its writer grain: the desired import per service (newest version wins) and the members'
/// health, turned into the least work for the engine by content hash. A health flip changes slices only, never a
/// ServiceImport or a derived Service; a ClusterSetIP ⇄ Headless flip deletes or creates the derived Service.
/// </summary>
public sealed class McsImportDecisions(IMcsImportWorkSink sink)
{
    private readonly Dictionary<string, (long Version, McsMergedImport? Import)> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, McsHeld> _held = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unhealthy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _healthSequences = new(StringComparer.Ordinal);

    /// <summary>The version this member's view of <paramref name="key"/> (<c>ns/name</c>) is at (0: nothing known).</summary>
    public long VersionOf(string key) => _desired.TryGetValue(key, out var desired) ? desired.Version : 0;

    /// <summary>What the member holds of <paramref name="key"/> as far as this writer knows.</summary>
    public McsHeld HeldOf(string key) => _held.GetValueOrDefault(key) ?? McsHeld.Nothing;

    /// <summary>Takes a newer desired import (null: it must not exist); stale or repeated versions are dropped.</summary>
    public bool Accept(string ns, string name, long version, McsMergedImport? import)
    {
        var key = Key(ns, name);
        if (version <= VersionOf(key))
            return false;

        _desired[key] = (version, import);
        Reconcile(ns, name);
        return true;
    }

    /// <summary>What the member was found to hold (a drift watch or a restart): decide against that rather than what was sent.</summary>
    public void Repair(string ns, string name, McsHeld held)
    {
        _held[Key(ns, name)] = held;
        Reconcile(ns, name);
    }

    /// <summary>A health decision (from the health relay); older sequences of the member are dropped. True when it changed.</summary>
    public bool SetHealth(MemberHealth health)
    {
        if (_healthSequences.TryGetValue(health.ClusterKey, out var known) && health.Sequence <= known)
            return false;

        _healthSequences[health.ClusterKey] = health.Sequence;
        return SetHealth(health.ClusterKey, health.Healthy);
    }

    /// <summary>A member's health; true when it changed. Only the slices whose source is that member are written again.</summary>
    public bool SetHealth(string clusterKey, bool healthy)
    {
        if (!(healthy ? _unhealthy.Remove(clusterKey) : _unhealthy.Add(clusterKey)))
            return false;

        foreach (var (_, (_, import)) in _desired.ToList())
        {
            if (import is not null && import.Sources.Any(s => s.ClusterKey == clusterKey))
                Reconcile(import.Namespace, import.Name);
        }

        return true;
    }

    /// <summary>The services this writer has a desired state of (<c>ns/name</c>), for a repair pass.</summary>
    public IReadOnlyCollection<string> Keys => _desired.Keys;

    /// <summary>The services whose import this member must hold (<c>ns/name</c>).</summary>
    public IEnumerable<string> Imported => _desired.Where(d => d.Value.Import is not null).Select(d => d.Key);

    /// <summary>Everything again, as if nothing had been sent (a new engine).</summary>
    public void ResendAll()
    {
        var keys = _desired.Keys.ToList();
        _held.Clear();
        foreach (var key in keys)
        {
            var (ns, name) = Split(key);
            Reconcile(ns, name);
        }
    }

    /// <summary>
    /// The work that takes what the member holds (<paramref name="held"/>) to what it must hold for
    /// <paramref name="import"/> (null: nothing), and what it holds afterwards. Pure.
    /// </summary>
    public static (ImmutableArray<IMcsImportWork> Work, McsHeld Held) Plan(
        string ns, string name, McsMergedImport? import, McsHeld held, Func<string, bool> healthy)
    {
        var work = ImmutableArray.CreateBuilder<IMcsImportWork>();
        if (import is null)
        {
            if (held.IsNothing)
                return ([], held);

            work.Add(new DeleteMcsImport(ns, name));
            if (held.DerivedServiceHash is not null)
                work.Add(new DeleteMcsDerivedService(ns, name, McsNames.DerivedName(ns, name)));
            foreach (var source in held.SliceSets.Keys)
                work.Add(new SyncMcsSlices(ns, name, source, []));
            return (work.ToImmutable(), McsHeld.Nothing);
        }

        // The import first: the derived Service and the slices are owned by it.
        var document = McsImportContent.Document(import);
        var importHash = McsContentHash.Of(document);
        if (importHash != held.ImportHash)
            work.Add(new ApplyMcsImport(ns, name, document, importHash));

        var derived = McsImportContent.DerivedService(import);
        var derivedHash = derived is null ? null : McsContentHash.Of(derived);
        if (derived is null && held.DerivedServiceHash is not null)
            work.Add(new DeleteMcsDerivedService(ns, name, McsNames.DerivedName(ns, name)));
        else if (derived is not null && derivedHash != held.DerivedServiceHash)
            work.Add(new ApplyMcsDerivedService(ns, name, derived, derivedHash!));

        var sets = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var source in import.Sources)
        {
            var slices = McsImportContent.Slices(import, source, healthy(source.ClusterKey));
            var setHash = McsContentHash.Of(slices.Select(s => s.ContentHash));
            sets[source.ClusterId] = setHash;
            if (held.SliceSets.GetValueOrDefault(source.ClusterId) != setHash)
                work.Add(new SyncMcsSlices(ns, name, source.ClusterId, slices));
        }

        foreach (var gone in held.SliceSets.Keys.Where(k => !sets.ContainsKey(k)))
            work.Add(new SyncMcsSlices(ns, name, gone, []));

        return (work.ToImmutable(), new McsHeld(importHash, derivedHash, sets.ToImmutable()));
    }

    private void Reconcile(string ns, string name)
    {
        var key = Key(ns, name);
        var import = _desired.TryGetValue(key, out var desired) ? desired.Import : null;
        var (work, held) = Plan(ns, name, import, HeldOf(key), k => !_unhealthy.Contains(k));
        foreach (var item in work)
            sink.Submit(item);

        if (held.IsNothing)
            _held.Remove(key);
        else
            _held[key] = held;
    }

    private static string Key(string ns, string name) => $"{ns}/{name}";

    private static (string Ns, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
