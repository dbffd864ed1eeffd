using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>
/// The outcome of merging a service's export contributions: the import (null when none remains), a conflict verdict
/// per contributing clusterKey, and the contributions whose endpoints made it into the import, oldest first.
/// </summary>
public sealed record MergeResult(
    MergedImport? Import,
    IReadOnlyDictionary<string, ConflictVerdict> Verdicts,
    IReadOnlyList<ExportContribution> Agreeing);
