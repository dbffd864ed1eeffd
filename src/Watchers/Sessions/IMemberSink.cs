using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// Everything a member session tells the grains, and nothing else: the narrow port between the silo-local session
/// (informers, I/O) and the grains that decide. A failed call throws; the session retries it.
/// </summary>
public interface IMemberSink
{
    /// <summary>The connection and sync state of the session (to the member's ClusterGrain).</summary>
    Task ReportSession(SessionReport report);

    /// <summary>The compatibility of the member's flomesh.io CRDs (to the member's ClusterGrain).</summary>
    Task ReportCrds(string sessionId, CrdReport report);

    /// <summary>The exports the session has fed, so exports deleted while nobody watched are withdrawn later.</summary>
    Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys);

    /// <summary>One service's full observation (to its ServiceExportGrain).</summary>
    Task Observe(string serviceKey, ExportObservation observation);

    /// <summary>A GlobalTrafficPolicy of the member changed (null: deleted), for the member's writer.</summary>
    Task SetPolicy(string @namespace, string name, TrafficPolicySpec? policy);

    /// <summary>Every GlobalTrafficPolicy of the member (key: namespace/name), for a writer that may have lost some.</summary>
    Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies);
}
