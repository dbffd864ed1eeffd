namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>How one case ended: passed, or failed with the first line of why; and how long it took (set-up and clean-up included).</summary>
public sealed record CaseResult(ConformanceCase Case, bool Passed, TimeSpan Duration, string? Failure);
