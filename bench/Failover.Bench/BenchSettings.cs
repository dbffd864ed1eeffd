namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>The load, the fault timing and the time limits of one run: <c>--quick</c> for a smoke run, otherwise the full run.</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Requests per second over both services together (open loop), alternating between them.</summary>
    public required int Rate { get; init; }

    /// <summary>Load without a fault before each fault (the steady period).</summary>
    public required TimeSpan Steady { get; init; }

    /// <summary>How long each fault is held before it is healed.</summary>
    public required TimeSpan Hold { get; init; }

    /// <summary>After healing, how long to wait at most for traffic and routing to come back before the next fault.</summary>
    public required TimeSpan RecoveryTimeout { get; init; }

    /// <summary>A request not completed after this counts as failed (a client's timeout; the proxy's own is 100 s).</summary>
    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>
    /// A request that succeeded but took longer than this did not get through the fault unharmed either: it counts as
    /// not yet rerouted (blackholed requests answered late after a per-try timeout, for instance).
    /// </summary>
    public required TimeSpan SlowThreshold { get; init; }

    /// <summary>How long each environment may take to route both services before the run gives up.</summary>
    public required TimeSpan SetupTimeout { get; init; }

    /// <summary>The whole run is cancelled after this.</summary>
    public required TimeSpan RunTimeout { get; init; }

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        Rate = 200,
        Steady = TimeSpan.FromSeconds(3),
        Hold = TimeSpan.FromSeconds(18),
        RecoveryTimeout = TimeSpan.FromSeconds(20),
        RequestTimeout = TimeSpan.FromSeconds(10),
        SlowThreshold = TimeSpan.FromMilliseconds(200),
        SetupTimeout = TimeSpan.FromSeconds(60),
        RunTimeout = TimeSpan.FromMinutes(9),
    };

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        Rate = 200,
        Steady = TimeSpan.FromSeconds(1),
        Hold = TimeSpan.FromSeconds(4),
        RecoveryTimeout = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(3),
        SlowThreshold = TimeSpan.FromMilliseconds(200),
        SetupTimeout = TimeSpan.FromSeconds(45),
        RunTimeout = TimeSpan.FromMinutes(4),
    };
}
