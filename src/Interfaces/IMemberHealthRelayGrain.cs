using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// The one subscriber of the health channel (key: <see cref="ChannelNames.HealthKey"/>). A broadcast channel's
/// implicit subscription activates the grain whose key is the channel key, so per-member writers cannot share one
/// key; this grain keeps the newest decision per member and fans each new one out to every member's writer.
/// </summary>
[Alias("ErieCanal.IMemberHealthRelayGrain")]
public interface IMemberHealthRelayGrain : IGrainWithStringKey
{
    /// <summary>The newest decision of every member reported since this activation (writers read it on repair).</summary>
    [Alias("GetAll")]
    Task<ImmutableArray<MemberHealth>> GetAll();
}
