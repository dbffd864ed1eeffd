namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>One watch-latency scenario: how fast it wrote, and how every watcher saw the writes.</summary>
public sealed record WatchResult(
    string Scenario,
    int Watchers,
    int Events,
    double WriteRate,
    LatencySummary Latency,
    long Missed,
    long Duplicates,
    int WatchErrors,
    TimeSpan DrainTime);
