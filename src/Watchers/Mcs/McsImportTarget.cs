using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// What one member must hold for one MCS import, as the writer grain last decided it (a snapshot the engine
/// reconciles whole): the ServiceImport document (null: it must not exist), its derived Service (null: none of ours),
/// and each told source cluster's EndpointSlices (empty: none).
/// </summary>
public sealed record McsImportTarget(
    string Namespace,
    string Name,
    McsServiceImportDocument? Document,
    McsDerivedService? Derived,
    ImmutableSortedDictionary<string, ImmutableArray<McsSliceIntent>> Slices);
