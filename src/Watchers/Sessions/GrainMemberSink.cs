using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>The member session's port over grain calls: its ClusterGrain, its export grains and its writer.</summary>
public sealed class GrainMemberSink(IGrainFactory grains, string clusterKey) : IMemberSink
{
    private IClusterGrain Owner => grains.GetGrain<IClusterGrain>(clusterKey);

    public Task ReportSession(SessionReport report) => Owner.ReportSession(report);

    public Task ReportCrds(string sessionId, CrdReport report) => Owner.ReportCrds(sessionId, report);

    public Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys) => Owner.RecordExports(sessionId, serviceKeys);

    public Task Observe(string serviceKey, ExportObservation observation)
    {
        var (ns, name) = ServiceKeys.ParseService(serviceKey);
        return grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(clusterKey, ns, name)).Observe(observation);
    }

    public Task SetPolicy(string @namespace, string name, TrafficPolicySpec? policy) =>
        grains.GetGrain<IImportWriterGrain>(clusterKey).SetPolicy(@namespace, name, policy);

    public Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies) =>
        grains.GetGrain<IImportWriterGrain>(clusterKey).SyncPolicies(policies);
}
