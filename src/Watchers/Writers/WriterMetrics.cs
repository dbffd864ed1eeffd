using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>The writer engines' instruments, on the reconciler's meter (<c>ErieCanal.Orleans</c>).</summary>
internal static class WriterMetrics
{
    private static readonly Meter Meter = new("ErieCanal.Orleans");

    public static readonly Counter<long> SpecApplies = Meter.CreateCounter<long>("eriecanal.serviceimport.writes", description: "ServiceImport spec applies into member clusters");

    public static readonly Counter<long> RoutingPatches = Meter.CreateCounter<long>("eriecanal.serviceimport.status_patches", description: "ServiceImport status.routing patches");

    public static readonly Counter<long> Deletes = Meter.CreateCounter<long>("eriecanal.serviceimport.deletes", description: "ServiceImport deletions from member clusters");

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("eriecanal.serviceimport.write_failures", description: "Failed ServiceImport writes (retried)");

    public static readonly Histogram<double> WriteLatency = Meter.CreateHistogram<double>("eriecanal.serviceimport.write_duration", "ms", "Duration of one ServiceImport write");
}
