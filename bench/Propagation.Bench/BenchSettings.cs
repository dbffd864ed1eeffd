namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>The counts and time limits of one run: <c>--quick</c> for a smoke run, otherwise the full run.</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Member clusters, named cluster-1..cluster-N; service i is exported from member i % N + 1.</summary>
    public required int Members { get; init; }

    /// <summary>Namespaces the services are spread over (created in every member up front).</summary>
    public required int Namespaces { get; init; }

    /// <summary>Services and exports that exist before the pipeline starts (cold start), and again per later phase.</summary>
    public required int Services { get; init; }

    /// <summary>Exports per second in the paced phase.</summary>
    public required int PacedRate { get; init; }

    /// <summary>Concurrent export creators in the burst phase (no pacing).</summary>
    public required int BurstWriters { get; init; }

    /// <summary>Concurrent requests when creating the Services and the cold-start exports.</summary>
    public required int SetupConcurrency { get; init; }

    /// <summary>How long an export may take to appear everywhere before it counts as missed.</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>How long the cold start may take to converge before the rest counts as missed.</summary>
    public required TimeSpan ConvergeTimeout { get; init; }

    /// <summary>ErieCanal:RepairInterval of the silo (the rest of its options are the production defaults).</summary>
    public required TimeSpan RepairInterval { get; init; }

    /// <summary>How long a health flip (or its recovery) may take to show in every member's routing.</summary>
    public required TimeSpan FlipTimeout { get; init; }

    /// <summary>The quiet window counted just before the health flip, for comparison.</summary>
    public required TimeSpan FlipBackgroundWindow { get; init; }

    /// <summary>The whole run is cancelled after this.</summary>
    public required TimeSpan RunTimeout { get; init; }

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        Members = 10,
        Namespaces = 10,
        Services = 1_000,
        PacedRate = 50,
        BurstWriters = 8,
        SetupConcurrency = 8,
        DrainTimeout = TimeSpan.FromSeconds(120),
        ConvergeTimeout = TimeSpan.FromSeconds(300),
        RepairInterval = TimeSpan.FromSeconds(10),
        FlipTimeout = TimeSpan.FromSeconds(90),
        FlipBackgroundWindow = TimeSpan.FromSeconds(10),
        RunTimeout = TimeSpan.FromMinutes(30),
    };

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        Members = 3,
        Namespaces = 3,
        Services = 100,
        PacedRate = 50,
        BurstWriters = 8,
        SetupConcurrency = 8,
        DrainTimeout = TimeSpan.FromSeconds(30),
        ConvergeTimeout = TimeSpan.FromSeconds(60),
        RepairInterval = TimeSpan.FromSeconds(10),
        FlipTimeout = TimeSpan.FromSeconds(90),
        FlipBackgroundWindow = TimeSpan.FromSeconds(5),
        RunTimeout = TimeSpan.FromMinutes(6),
    };
}
