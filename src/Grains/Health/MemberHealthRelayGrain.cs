using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using Microsoft.Extensions.Logging;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Health;

/// <summary>
/// Receives every member's health on the health channel and tells every member's writer, one-way. Stale or
/// repeated decisions (by sequence) are dropped. Lossy by design: writers also read <see cref="GetAll"/> and the
/// directory's health on repair.
/// </summary>
[ImplicitChannelSubscription(ChannelNames.Health)]
public sealed partial class MemberHealthRelayGrain(IGrainFactory grains, ILogger<MemberHealthRelayGrain> logger) : Grain, IMemberHealthRelayGrain, IOnBroadcastChannelSubscribed
{
    private readonly Dictionary<string, MemberHealth> _latest = new(StringComparer.Ordinal);

    public Task OnSubscribed(IBroadcastChannelSubscription subscription) =>
        subscription.Attach<MemberHealth>(OnHealthAsync, OnChannelErrorAsync);

    public Task<ImmutableArray<MemberHealth>> GetAll() => Task.FromResult(_latest.Values.ToImmutableArray());

    private async Task OnHealthAsync(MemberHealth health)
    {
        if (_latest.TryGetValue(health.ClusterKey, out var seen) && health.Sequence <= seen.Sequence)
        {
            return;
        }

        _latest[health.ClusterKey] = health;
        var members = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters();
        foreach (var member in members)
        {
            await grains.GetGrain<IImportWriterGrain>(member.ClusterKey).SetMemberHealth(health);
        }
    }

    private Task OnChannelErrorAsync(Exception ex)
    {
        LogChannelError(ex.Message);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "The health channel reported an error: {Message}")]
    private partial void LogChannelError(string message);
}
