namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// Exports that existed before the pipeline started: seconds from starting it until every member's watch had seen
/// every ServiceImport, and how many were still missing at the timeout.
/// </summary>
public sealed record ColdStartResult(int Exports, int Members, TimeSpan Converged, int Missed, TimeSpan ProcessCpu);
