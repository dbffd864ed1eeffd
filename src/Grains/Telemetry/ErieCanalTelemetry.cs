using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.Grains.Telemetry;

/// <summary>
/// The reconciler's OpenTelemetry instruments and spans: grain-level signals for failover and propagation.
/// ServiceImport writes, failovers and propagation latency live with the write engine (Watchers.Writers.WriterMetrics),
/// on the same meter and source name. Prometheus names: dots become underscores, counters end in <c>_total</c>.
/// </summary>
public static class ErieCanalTelemetry
{
    public const string Name = "ErieCanal.Orleans";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    // Each writer grain's view of member health on this silo, while it is active (no stale series after a move).
    private static readonly ConcurrentDictionary<object, HealthView> Views = new();

    public static readonly Counter<long> HealthTransitions = Meter.CreateCounter<long>("eriecanal.cluster.health_transitions", description: "Member health changes (failover and recovery)");

    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("eriecanal.export.conflicts", description: "Exports found in conflict");

    public static readonly ObservableGauge<int> MemberHealthy = Meter.CreateObservableGauge("eriecanal.member.healthy", ObserveMemberHealth,
        description: "1 while a member's endpoints take traffic, 0 while it is unhealthy (as the writers on this silo route it), by member");

    /// <summary>A writer's current view: the members it knows and those it routes no traffic to.</summary>
    public static void ReportMemberHealth(object writer, IEnumerable<string> known, IEnumerable<string> unhealthy) =>
        Views[writer] = new HealthView([.. known], [.. unhealthy]);

    public static void ForgetMemberHealth(object writer) => Views.TryRemove(writer, out _);

    private static IEnumerable<Measurement<int>> ObserveMemberHealth()
    {
        var views = Views.Values.ToList();
        return views.SelectMany(v => v.Known.Concat(v.Unhealthy)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(member => new Measurement<int>(views.Any(v => v.Unhealthy.Contains(member)) ? 0 : 1, new KeyValuePair<string, object?>("member", member)));
    }

    private sealed record HealthView(HashSet<string> Known, HashSet<string> Unhealthy);
}
