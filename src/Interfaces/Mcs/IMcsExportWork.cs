namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// One decision of an MCS ServiceExport's grain for its member's engine (the export's one condition owner).
/// Silo-local, never serialized; it lives with the contract because the engine cannot see the grains' assembly.
/// Work on one export is merged: the newest wins. (An interface rather than an abstract record: every contract record
/// keeps a public constructor, which the reflection equality test builds from.)
/// </summary>
public interface IMcsExportWork
{
    string Namespace { get; }

    string Name { get; }
}

/// <summary>
/// Valid, Ready and Conflict (absent: removed) with observedGeneration <paramref name="Generation"/> on the export with
/// uid <paramref name="Uid"/>; the engine records an Event for each condition whose state changed.
/// <paramref name="SeedResourceVersion"/>: the export was seen with no status at this version (empty: unknown).
/// </summary>
public sealed record WriteMcsExportConditions(string Namespace, string Name, string Uid, long Generation, McsExportConditions Conditions, string SeedResourceVersion = "")
    : IMcsExportWork;

/// <summary>The member left: remove the conditions this system wrote on the export.</summary>
public sealed record ClearMcsExportConditions(string Namespace, string Name) : IMcsExportWork;
