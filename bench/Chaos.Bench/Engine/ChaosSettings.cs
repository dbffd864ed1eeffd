namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// One run: the seed (which fixes the operations and the fault schedule), how many operations, the store, how many
/// silo processes, the faults to cycle through, and the time limits.
/// </summary>
public sealed record ChaosSettings
{
    public const string Namespace = "chaos";

    public static readonly string[] Members = ["cluster-1", "cluster-2", "cluster-3"];

    public required string Mode { get; init; }

    public int Seed { get; init; } = 9;

    public required int Operations { get; init; }

    /// <summary>Distinct service names the operations pick from (chaos-0, chaos-1, …).</summary>
    public required int Services { get; init; }

    public StoreKind Store { get; init; } = StoreKind.Redis;

    /// <summary>Silo processes on a durable store (the memory store always runs one).</summary>
    public required int Silos { get; init; }

    /// <summary>The faults in the order they are injected, spread evenly over the operations.</summary>
    public required IReadOnlyList<FaultKind> Faults { get; init; }

    /// <summary>Operations performed while each fault is held.</summary>
    public required int OperationsPerFault { get; init; }

    /// <summary>Each fault is held at least this long (long enough for health probing to notice it).</summary>
    public required TimeSpan MinimumHold { get; init; }

    /// <summary>At most this long between two operations (seeded), so faults meet a stream of changes, not a burst.</summary>
    public required TimeSpan MaximumPause { get; init; }

    /// <summary>How long, after the last fault is healed, the system may take to converge.</summary>
    public required TimeSpan ConvergenceTimeout { get; init; }

    public int SiloCount => Store == StoreKind.Memory ? 1 : Silos;

    /// <summary>The full benchmark: every fault kind, twice, in a seeded order (store restarts only on a durable store).</summary>
    public static ChaosSettings Full(int seed, StoreKind store) => new()
    {
        Mode = "full",
        Seed = seed,
        Store = store,
        Operations = 400,
        Services = 8,
        Silos = 3,
        Faults = Schedule(seed, store, rounds: 2),
        OperationsPerFault = 8,
        MinimumHold = TimeSpan.FromSeconds(4),
        MaximumPause = TimeSpan.FromMilliseconds(80),
        ConvergenceTimeout = TimeSpan.FromMinutes(3),
    };

    /// <summary>A short run: every fault kind once.</summary>
    public static ChaosSettings Quick(int seed, StoreKind store) => new()
    {
        Mode = "quick",
        Seed = seed,
        Store = store,
        Operations = 120,
        Services = 5,
        Silos = 2,
        Faults = Schedule(seed, store, rounds: 1),
        OperationsPerFault = 5,
        MinimumHold = TimeSpan.FromSeconds(3),
        MaximumPause = TimeSpan.FromMilliseconds(60),
        ConvergenceTimeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>Every applicable fault kind <paramref name="rounds"/> times, shuffled by the seed.</summary>
    public static IReadOnlyList<FaultKind> Schedule(int seed, StoreKind store, int rounds)
    {
        var kinds = Enum.GetValues<FaultKind>().Where(k => store != StoreKind.Memory || k != FaultKind.StoreRestart).ToArray();
        var random = new Random(seed ^ 0x5eed);
        var schedule = new List<FaultKind>();
        for (var round = 0; round < rounds; round++)
        {
            var shuffled = kinds.ToArray();
            random.Shuffle(shuffled);
            schedule.AddRange(shuffled);
        }

        return schedule;
    }

    public static string ServiceName(int index) => $"chaos-{index}";
}
