using System.Collections.Immutable;
using Orleans.Concurrency;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// Decides one member's ServiceImports (key: clusterKey) and evaluates that member's GlobalTrafficPolicies into
/// their status; a silo-local engine writes them. Fed by its import channel (<see cref="ChannelNames.Imports"/>),
/// member health (<see cref="SetMemberHealth"/>) and repaired periodically from the ServiceImportGrains, so a lost
/// notification only delays an update.
/// </summary>
[Alias("ErieCanal.IImportWriterGrain")]
public interface IImportWriterGrain : IGrainWithStringKey
{
    [Alias("SetPolicy")]
    Task SetPolicy(string ns, string name, TrafficPolicySpec? policy);

    /// <summary>
    /// Every GlobalTrafficPolicy of the member (key: namespace/name), sent again each resync: policies this writer
    /// lacks (it lost its activation) are added, changed ones replaced, and ones not in the set dropped.
    /// </summary>
    [Alias("SyncPolicies")]
    Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies);

    [Alias("GetRouting")]
    Task<Routing?> GetRouting(string ns, string name);

    /// <summary>Asks for a repair soon (the grain's repair timer fires now); returns at once.</summary>
    [Alias("Repair")]
    Task Repair();

    /// <summary>The member left: delete every ServiceImport written there and stop.</summary>
    [Alias("Retire")]
    Task Retire();

    /// <summary>
    /// Members' health decisions (fanned out from the health channel, several at once when they arrive together):
    /// routing status changes only.
    /// </summary>
    [Alias("SetMemberHealths")]
    [OneWay]
    Task SetMemberHealth(ImmutableArray<MemberHealth> health);
}
