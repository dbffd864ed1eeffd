using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.Grains.Telemetry;

/// <summary>The reconciler's OpenTelemetry instruments: grain-level signals for failover and propagation.</summary>
public static class ErieCanalTelemetry
{
    public const string Name = "ErieCanal.Orleans";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> ImportWrites = Meter.CreateCounter<long>("eriecanal.serviceimport.writes", description: "ServiceImport writes into member clusters");

    public static readonly Counter<long> ImportDeletes = Meter.CreateCounter<long>("eriecanal.serviceimport.deletes", description: "ServiceImport deletions from member clusters");

    public static readonly Counter<long> WriteFailures = Meter.CreateCounter<long>("eriecanal.serviceimport.write_failures", description: "Failed ServiceImport writes (retried)");

    public static readonly Counter<long> HealthTransitions = Meter.CreateCounter<long>("eriecanal.cluster.health_transitions", description: "Member health changes (failover and recovery)");

    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("eriecanal.export.conflicts", description: "Exports found in conflict");

    public static readonly Histogram<double> WriteLatency = Meter.CreateHistogram<double>("eriecanal.serviceimport.write_duration", "ms", "Duration of one ServiceImport write");
}
