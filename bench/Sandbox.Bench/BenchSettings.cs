namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>The counts and time limits of one run: <c>--quick</c> for a smoke run, otherwise the full run.</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Creates, and then as many updates, per write-throughput concurrency level.</summary>
    public required int WriteOps { get; init; }

    public required IReadOnlyList<int> WriteConcurrency { get; init; }

    public required int Watchers { get; init; }

    /// <summary>Events per watch scenario: half creates, then an update of each created object.</summary>
    public required int WatchEvents { get; init; }

    /// <summary>Writes per second in the paced watch scenario.</summary>
    public required int PacedRate { get; init; }

    /// <summary>Concurrent writers in the as-fast-as-possible watch scenario.</summary>
    public required int BurstWriters { get; init; }

    /// <summary>How long watchers may take to catch up after the last write before the rest count as missed.</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>The whole run is cancelled after this.</summary>
    public required TimeSpan RunTimeout { get; init; }

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        WriteOps = 5_000,
        WriteConcurrency = [1, 8, 32],
        Watchers = 100,
        WatchEvents = 2_000,
        PacedRate = 200,
        BurstWriters = 8,
        DrainTimeout = TimeSpan.FromSeconds(60),
        RunTimeout = TimeSpan.FromMinutes(15),
    };

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        WriteOps = 300,
        WriteConcurrency = [1, 8, 32],
        Watchers = 20,
        WatchEvents = 200,
        PacedRate = 200,
        BurstWriters = 8,
        DrainTimeout = TimeSpan.FromSeconds(20),
        RunTimeout = TimeSpan.FromMinutes(3),
    };
}
