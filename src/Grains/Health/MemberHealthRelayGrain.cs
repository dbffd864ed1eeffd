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
/// <remarks>
/// Receiving only records the decision (the channel's publishers, the ClusterGrains, wait on it); a separate turn
/// sends what arrived since the last send, all together. While one fan-out runs, new decisions collect for the next,
/// so with many members flapping at once the calls grow with fan-outs, not with decisions × members.
/// </remarks>
[ImplicitChannelSubscription(ChannelNames.Health)]
public sealed partial class MemberHealthRelayGrain(IGrainFactory grains, ILogger<MemberHealthRelayGrain> logger) : Grain, IMemberHealthRelayGrain, IOnBroadcastChannelSubscribed
{
    private readonly Dictionary<string, MemberHealth> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberHealth> _unsent = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private IGrainTimer? _send;

    public Task OnSubscribed(IBroadcastChannelSubscription subscription) =>
        subscription.Attach<MemberHealth>(OnHealthAsync, OnChannelErrorAsync);

    public Task<ImmutableArray<MemberHealth>> GetAll() => Task.FromResult(_latest.Values.ToImmutableArray());

    private Task OnHealthAsync(MemberHealth health)
    {
        if (_latest.TryGetValue(health.ClusterKey, out var seen) && health.Sequence <= seen.Sequence)
        {
            return Task.CompletedTask;
        }

        _latest[health.ClusterKey] = health;
        _unsent[health.ClusterKey] = health;
        _send ??= this.RegisterGrainTimer(SendAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        _send?.Dispose();
        _send = null;
        if (_unsent.Count == 0)
        {
            return;
        }

        var batch = _unsent.Values.ToImmutableArray();
        _unsent.Clear();
        ImmutableArray<ClusterInfo> members;
        try
        {
            members = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters();
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Keep what was not sent (unless something newer came meanwhile) and try again shortly.
            LogSendFailed(batch.Length, ex.Message);
            foreach (var health in batch)
            {
                _unsent.TryAdd(health.ClusterKey, health);
            }

            _send ??= this.RegisterGrainTimer(SendAsync, new GrainTimerCreationOptions(RetryAfter, Timeout.InfiniteTimeSpan));
            return;
        }

        foreach (var member in members)
        {
            // One-way: completes once sent.
            await grains.GetGrain<IImportWriterGrain>(member.ClusterKey).SetMemberHealth(batch);
        }
    }

    private Task OnChannelErrorAsync(Exception ex)
    {
        LogChannelError(ex.Message);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "The health channel reported an error: {Message}")]
    private partial void LogChannelError(string message);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Could not read the members to send {Count} health decisions to (retrying in 1 s): {Message}")]
    private partial void LogSendFailed(int count, string message);
}
