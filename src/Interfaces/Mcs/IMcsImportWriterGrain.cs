using System.Collections.Immutable;
using Orleans.Concurrency;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// Decides one member's MCS ServiceImports, derived Services and EndpointSlices (key: clusterKey); a silo-local engine
/// writes them. Fed by its channel (<see cref="ChannelNames.McsImports"/>), member health, and a periodic repair.
/// </summary>
[Alias("ErieCanal.IMcsImportWriterGrain")]
public interface IMcsImportWriterGrain : IGrainWithStringKey
{
    /// <summary>Asks for a repair soon (the grain's repair timer fires now); returns at once.</summary>
    [Alias("Repair")]
    Task Repair();

    /// <summary>The member left: delete every MCS object written there and stop.</summary>
    [Alias("Retire")]
    Task Retire();

    /// <summary>Members' health decisions: the readiness of their endpoints in MCS slices changes, nothing else.</summary>
    [Alias("SetMemberHealth")]
    [OneWay]
    Task SetMemberHealth(ImmutableArray<MemberHealth> health);
}
