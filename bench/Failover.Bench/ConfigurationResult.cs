namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>One configuration's run: its fault results, the load's totals, and whether it came back to steady state.</summary>
public sealed record ConfigurationResult(
    SystemConfiguration Configuration,
    IReadOnlyList<FaultResult> Faults,
    int Requests,
    long LateDispatches,
    bool SteadyAtEnd,
    TimeSpan Elapsed);
