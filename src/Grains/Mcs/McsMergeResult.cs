using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// The outcome of merging a service's MCS contributions: the import (null when none remains) and the one verdict
/// every export of the service is told (KEP-1645 sets Conflict on all of them, oldest included).
/// </summary>
public sealed record McsMergeResult(McsMergedImport? Import, McsExportVerdict Verdict);
