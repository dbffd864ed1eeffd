
namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// One steady-state phase of one pipeline: exports created at <see cref="Rate"/>, each measured from just before its
/// create call to the moment its ServiceImport had been seen by the watch in every member.
/// </summary>
/// <remarks>
/// <see cref="GcPause"/> and <see cref="Gen2Collections"/> are the whole process's (the sandbox runs in it too): a tail
/// that moves with them is the runtime's, not the pipeline's.
/// </remarks>
public sealed record PhaseResult(string Scenario, int Exports, double Rate, LatencySummary Latency, int Missed, TimeSpan ProcessCpu, TimeSpan GcPause, int Gen2Collections);
