using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The writer engines' instruments and spans, on the reconciler's meter and activity source (<c>ErieCanal.Orleans</c>).
/// Labels stay bounded: members × services (<c>member</c>: the member whose endpoints changed, <c>consuming_member</c>:
/// the member whose ServiceImport was written, <c>service</c>: namespace/name).
/// </summary>
internal static class WriterMetrics
{
    public const string Name = "ErieCanal.Orleans";

    public static readonly ActivitySource Source = new(Name);

    // Seconds from sub-second propagation to a slow health decision (the default buckets are for milliseconds).
    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 20, 30, 60, 120];

    private static readonly Meter Meter = new(Name);

    private static readonly ConcurrentDictionary<MemberImportWriter, byte> Live = new();

    public static readonly Counter<long> SpecApplies = Meter.CreateCounter<long>("eriecanal.serviceimport.writes", description: "ServiceImport spec applies into member clusters");

    public static readonly Counter<long> RoutingPatches = Meter.CreateCounter<long>("eriecanal.serviceimport.status_patches", description: "ServiceImport status.routing patches");

    public static readonly Counter<long> Deletes = Meter.CreateCounter<long>("eriecanal.serviceimport.deletes", description: "ServiceImport deletions from member clusters");

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("eriecanal.serviceimport.write_failures", description: "Failed ServiceImport writes (retried), by consuming_member");

    public static readonly Histogram<double> WriteLatency = Meter.CreateHistogram<double>("eriecanal.serviceimport.write_duration", "ms", "Duration of one ServiceImport write");

    public static readonly Counter<long> Failovers = Meter.CreateCounter<long>("eriecanal.failovers",
        description: "A service's routing in a consuming member lost (direction=failover) or regained (direction=failback) a member's endpoints because of health; by member, service, reason");

    public static readonly Histogram<double> FailoverDuration = Meter.CreateHistogram("eriecanal.failover.duration", "s",
        "From the health change first seen by the probes to the routing written in a consuming member, by member and consuming_member (the time to every member is the max over consuming_member)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Histogram<double> PropagationLatency = Meter.CreateHistogram("eriecanal.import.propagation_latency", "s",
        "From an export change observed by its service's grain to the ServiceImport applied in a consuming member, by consuming_member",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly ObservableGauge<int> ActiveEndpoints = Meter.CreateObservableGauge("eriecanal.serviceimport.active_endpoints", ObserveActiveEndpoints,
        description: "Endpoints taking traffic in a service's routing as written in a consuming member, by service, consuming_member and the member that exports them");

    public static KeyValuePair<string, object?> ConsumingMember(string clusterKey) => new("consuming_member", clusterKey);

    /// <summary>An engine's series are reported while it runs, and gone with it (no stale values after a move).</summary>
    public static void Track(MemberImportWriter writer) => Live[writer] = 0;

    public static void Untrack(MemberImportWriter writer) => Live.TryRemove(writer, out _);

    /// <summary>One write to a member as a client span, a child of the deciding change's span; a failure marks it.</summary>
    public static Task Traced(string name, string member, WorkKey key, WorkOrigin? origin, Func<Task> write) =>
        Traced(name, member, key, origin, async () =>
        {
            await write();
            return true;
        });

    /// <summary>The same, for a write whose answer the caller uses.</summary>
    public static async Task<T> Traced<T>(string name, string member, WorkKey key, WorkOrigin? origin, Func<Task<T>> write)
    {
        using var span = Source.StartActivity(name, ActivityKind.Client, origin?.Parent ?? default);
        span?.SetTag("eriecanal.member", member);
        span?.SetTag("eriecanal.service", $"{key.Namespace}/{key.Name}");
        try
        {
            return await write();
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private static IEnumerable<Measurement<int>> ObserveActiveEndpoints() =>
        Live.Keys.SelectMany(writer => writer.ActiveEndpointsByMember().Select(a => new Measurement<int>(a.Count,
            new KeyValuePair<string, object?>("service", a.Service), ConsumingMember(writer.ClusterKey), new KeyValuePair<string, object?>("member", a.Member))));
}
