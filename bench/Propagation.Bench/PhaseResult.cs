
namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// One steady-state phase of one pipeline: exports created at <see cref="Rate"/>, each measured from just before its
/// create call to the moment its ServiceImport had been seen by the watch in every member.
/// </summary>
public sealed record PhaseResult(string Scenario, int Exports, double Rate, LatencySummary Latency, int Missed, TimeSpan ProcessCpu);
