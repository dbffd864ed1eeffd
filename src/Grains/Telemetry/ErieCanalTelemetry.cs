using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.Grains.Telemetry;

/// <summary>
/// The reconciler's OpenTelemetry instruments: grain-level signals for failover and propagation. ServiceImport write
/// counters live with the write engine (Watchers.Writers.WriterMetrics), on the same meter name.
/// </summary>
public static class ErieCanalTelemetry
{
    public const string Name = "ErieCanal.Orleans";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> HealthTransitions = Meter.CreateCounter<long>("eriecanal.cluster.health_transitions", description: "Member health changes (failover and recovery)");

    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("eriecanal.export.conflicts", description: "Exports found in conflict");
}
