namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// One request of the load: when it was due and when it ended (<see cref="System.Diagnostics.Stopwatch"/>
/// timestamps; it was sent when due, whatever the earlier ones were doing), how it ended, and which member's pod
/// answered. Succeeded = a 2xx answered by a pod of the service.
/// </summary>
public readonly record struct RequestRecord(int Service, long Start, long End, int Status, string? Failure, string? Member)
{
    public bool Succeeded => Failure is null;

    public double LatencyMs => (End - Start) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
