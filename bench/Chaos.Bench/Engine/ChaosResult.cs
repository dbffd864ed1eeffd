namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>What a run did and what it found.</summary>
public sealed record ChaosResult(
    ChaosSettings Settings,
    IReadOnlyDictionary<OperationKind, int> Operations,
    int FailedOperations,
    IReadOnlyDictionary<FaultKind, int> Faults,
    TimeSpan? Convergence,
    ConvergenceCheck Final,
    TimeSpan Duration)
{
    public int OperationCount => Operations.Values.Sum();

    /// <summary>0 lost, 0 extra, 0 mismatches, within the convergence bound.</summary>
    public bool Passed => Convergence is not null && Final.Converged;
}
