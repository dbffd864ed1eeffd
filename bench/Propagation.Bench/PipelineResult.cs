namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>Everything measured for one pipeline on its own sandbox.</summary>
public sealed record PipelineResult(string Pipeline, ColdStartResult ColdStart, IReadOnlyList<PhaseResult> Phases, int WatchErrors, HealthFlipResult? HealthFlip);
