namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>
/// One watch-latency scenario: how fast it wrote, how every watcher saw the writes, and the CPU time the whole
/// process (sandbox and clients) spent from the first write to the last delivery, which noisy neighbours distort less.
/// </summary>
public sealed record WatchResult(
    string Scenario,
    int Watchers,
    int Events,
    double WriteRate,
    LatencySummary Latency,
    long Missed,
    long Duplicates,
    int WatchErrors,
    TimeSpan DrainTime,
    TimeSpan ProcessCpu);
