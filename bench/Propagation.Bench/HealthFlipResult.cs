namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// One member's gateway stopped and started again with the system converged: how long until every member's routing
/// marked that member's endpoints Unhealthy (and Active again), and the ServiceImport changes committed meanwhile.
/// <see cref="Background"/> is a quiet window of <see cref="BackgroundWindow"/> just before, for comparison.
/// </summary>
public sealed record HealthFlipResult(
    string Member,
    int MemberExports,
    int Probes,
    int Members,
    TimeSpan BackgroundWindow,
    ImportWriteCounts Background,
    TimeSpan? Detected,
    ImportWriteCounts Down,
    TimeSpan? Recovered,
    ImportWriteCounts Up)
{
    /// <summary>
    /// Imports whose routing holds the member's endpoint, so whose status must change per direction: its own imports of
    /// its exports (Locality, the default) and the probe services' imports elsewhere (ActiveActive policies).
    /// </summary>
    public int MinimumStatusPatches => MemberExports + Probes * (Members - 1);

    public bool Completed => Detected is not null && Recovered is not null;
}
