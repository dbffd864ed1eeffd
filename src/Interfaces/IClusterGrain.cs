using System.Collections.Immutable;
using Orleans.Concurrency;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One member cluster (key: clusterKey). Connects to the member, runs its watchers, probes its health and reports
/// Managed/Healthy on the Cluster object. Kept alive by the control-plane watchers' periodic resync, so it comes
/// back on a surviving silo when its silo dies.
/// </summary>
[Alias("ErieCanal.IClusterGrain")]
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>The Cluster object as last listed or watched; older resourceVersions are ignored.</summary>
    [Alias("Upsert")]
    Task Upsert(ClusterSpec spec);

    /// <summary>
    /// The Cluster object is gone: stop watching and withdraw everything the member contributed. The deleted object's
    /// last resourceVersion is kept as a tombstone, so a lagging silo's resync cannot bring the member back.
    /// </summary>
    [Alias("Remove")]
    Task Remove(string lastResourceVersion);

    /// <summary>From the grain's own member session: connection and sync state.</summary>
    [Alias("ReportSession")]
    Task ReportSession(SessionReport report);

    /// <summary>From the grain's own member session: the exports it has fed, kept so deletions missed while down are withdrawn.</summary>
    [Alias("RecordExports")]
    Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys);

    /// <summary>From the grain's own member session: the compatibility of the member's flomesh.io CRDs.</summary>
    [Alias("ReportCrds")]
    Task ReportCrds(string sessionId, CrdReport report);

    /// <summary>One silo's probes of the member's API server and gateway (sent on change and as a keep-alive).</summary>
    [Alias("ReportProbe")]
    [AlwaysInterleave]
    Task ReportProbe(ProbeReport report);

    /// <summary>The member's exported services that have paths on its gateway, for the silos' per-service probes.</summary>
    [Alias("GetServiceProbes")]
    [AlwaysInterleave]
    Task<ImmutableArray<ServiceProbeTarget>> GetServiceProbes();

    [Alias("GetState")]
    [AlwaysInterleave]
    Task<ClusterState> GetState();

    /// <summary>
    /// Whether the member has a ServiceExport for the service (<c>namespace/name</c>) as its session sees it; null while
    /// the session is not connected with every watch synced (nobody can tell).
    /// </summary>
    [Alias("HasExport")]
    [AlwaysInterleave]
    Task<bool?> HasExport(string serviceKey);
}

/// <summary>What a member session reports about its connection.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionReport(string SessionId, bool Connected, bool Synced, string Reason, string Message);
