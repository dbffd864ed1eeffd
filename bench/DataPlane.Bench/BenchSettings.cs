namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>The rates, durations and time limits of one run: <c>--quick</c> for a smoke run, otherwise the full run.</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Requests per second in the paced (open-loop) scenario; the target is stated at 500.</summary>
    public required int PacedRate { get; init; }

    /// <summary>Measured seconds of the paced scenario per path and round.</summary>
    public required TimeSpan PacedDuration { get; init; }

    /// <summary>Concurrent closed-loop clients of the flat-out scenarios, one scenario each.</summary>
    public required IReadOnlyList<int> FlatOutConcurrency { get; init; }

    /// <summary>Measured seconds of a flat-out scenario per path and round.</summary>
    public required TimeSpan FlatOutDuration { get; init; }

    /// <summary>
    /// Each scenario runs its paths in this many rounds, forward then backward (floor, system, system, floor), so a
    /// change in the machine's background load weighs on both alike; the rounds are merged.
    /// </summary>
    public required int Rounds { get; init; }

    /// <summary>Unreported run of the scenario's shape on each path before its first round (JIT, connection pools).</summary>
    public required TimeSpan WarmUp { get; init; }

    /// <summary>A request that has not completed after this counts as failed.</summary>
    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>How long objects may take to become routable before the run gives up.</summary>
    public required TimeSpan SetupTimeout { get; init; }

    /// <summary>The whole run is cancelled after this.</summary>
    public required TimeSpan RunTimeout { get; init; }

    /// <summary>Also measure the intermediate paths (a bare relay, the gateway alone, the gateway address + gateway, proxy to pods, proxy to the gateway's own port).</summary>
    public bool Hops { get; init; }

    /// <summary>
    /// The gateway address relays each connection to the gateway's own port over a second TCP connection (the
    /// sandbox's relay, as before the gateway took the address's connections itself), instead of handing it over.
    /// </summary>
    public bool Relay { get; init; }

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        PacedRate = 500,
        PacedDuration = TimeSpan.FromSeconds(10),
        FlatOutConcurrency = [16, 64],
        FlatOutDuration = TimeSpan.FromSeconds(5),
        Rounds = 2,
        WarmUp = TimeSpan.FromSeconds(3),
        RequestTimeout = TimeSpan.FromSeconds(10),
        SetupTimeout = TimeSpan.FromSeconds(60),
        RunTimeout = TimeSpan.FromMinutes(20),
    };

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        PacedRate = 500,
        PacedDuration = TimeSpan.FromSeconds(2),
        FlatOutConcurrency = [16, 64],
        FlatOutDuration = TimeSpan.FromSeconds(1),
        Rounds = 1,
        WarmUp = TimeSpan.FromSeconds(0.5),
        RequestTimeout = TimeSpan.FromSeconds(10),
        SetupTimeout = TimeSpan.FromSeconds(30),
        RunTimeout = TimeSpan.FromMinutes(3),
    };
}
