using ErieCanal.Orleans.Propagation.Bench;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>
/// One point of the curve. Memory: <see cref="Baseline"/> with the sandbox, workload and watches in place before the
/// silo starts; <see cref="Steady"/> with everything converged after the paced phase; <see cref="Stopped"/> after the
/// silo stopped, the sandbox still holding every import. Steady − Stopped is what the silo held. The cold start is
/// <see cref="ColdStart"/> until every import is visible everywhere and <see cref="ColdSettled"/> until the last
/// ServiceImport write (the status patches trail the specs); <see cref="ColdWrites"/> counts those writes.
/// <see cref="Sockets"/>: the process's sockets at the end of each phase.
/// </summary>
public sealed record ScaleResult(
    ScaleSize Size,
    TimeSpan ColdStart,
    TimeSpan ColdSettled,
    ImportWriteCounts ColdWrites,
    TimeSpan ColdStartCpu,
    int ColdMissed,
    double PacedRate,
    int PacedExports,
    LatencySummary Paced,
    int PacedMissed,
    TimeSpan PacedCpu,
    MemorySample Baseline,
    MemorySample Steady,
    MemorySample Stopped,
    long Activations,
    IReadOnlyList<(string GrainType, long Activations)> ActivationsByType,
    int WatchErrors,
    IReadOnlyList<SocketSample> Sockets)
{
    /// <summary>Imports the silo holds at the steady sample: the cold start's and the paced phase's.</summary>
    public long Imports => Size.Members * (long)(Size.Services + PacedExports);

    public long SiloGcHeap => Steady.GcHeap - Stopped.GcHeap;

    public bool Converged => ColdMissed == 0 && PacedMissed == 0;
}
