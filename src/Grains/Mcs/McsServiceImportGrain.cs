using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Directory;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ErieCanal.Orleans.Watchers;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// One MCS service, the shape of the flomesh <c>ServiceImportGrain</c>: persists every member's contribution, merges
/// them by KEP-1645's rules (<see cref="McsImportMerger"/>), tells every export the service's one verdict when it
/// changes, and sends every member (exporters included: the KEP imports everywhere) the import on its
/// <see cref="ChannelNames.McsImports"/> channel.
/// Kept in the directory's service index as <c>mcs:ns/name</c> (<see cref="ServiceIndexEntry"/>), which the MCS
/// writers' repair reads to find imports they missed.
/// </summary>
public sealed partial class McsServiceImportGrain(
    [PersistentState("mcs-import", StorageNames.Grains)] IPersistentState<McsServiceImportState> state,
    IGrainFactory grains,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<McsServiceImportGrain> logger) : Grain, IMcsServiceImportGrain
{
    private static readonly TimeSpan MembersFreshness = TimeSpan.FromSeconds(2);
    private readonly Dictionary<string, McsMergedImport?> _published = new(StringComparer.Ordinal);
    private long _version;
    private string _ns = "";
    private string _name = "";
    private McsMergeResult _merge = null!;
    private ImmutableArray<ClusterInfo> _members = [];
    private DateTimeOffset _membersAt = DateTimeOffset.MinValue;
    private ServiceIndexEntry _index = null!;

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_ns, _name) = ServiceKeys.ParseService(this.GetPrimaryKeyString());
        _version = state.State.Version;
        _merge = McsImportMerger.Merge(_ns, _name, _version, state.State.Contributions.Values);
        _index = new ServiceIndexEntry(grains, ServiceKeys.McsIndex(this.GetPrimaryKeyString()));
        _index.KeepAsserted(this, options.Value.RepairInterval, ex => LogIndexFailed(_ns, _name, ex.Message));
        if (state.State.Contributions.Count > 0)
        {
            await _index.SetAsync(state.State.Version);

            // What was read back may be older than what the exports last sent: each contributor sends its own again.
            // One-way, after this activation completes, so an export calling in meanwhile never waits on it.
            var contributors = state.State.Contributions.Keys.ToList();
            this.RegisterGrainTimer(_ =>
            {
                foreach (var clusterKey in contributors)
                {
                    grains.GetGrain<IMcsServiceExportGrain>(ServiceKeys.Export(clusterKey, _ns, _name)).Reconfirm().Ignore();
                }

                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task<McsExportVerdict> Contribute(string clusterKey, McsContribution? contribution)
    {
        state.State.Contributions.TryGetValue(clusterKey, out var existing);
        if (existing == contribution)
        {
            if (!_index.Acknowledged)
            {
                // Persisted, but the directory call failed: the caller's retry brings no change, so index now.
                await _index.SetAsync(state.State.Contributions.Count > 0 ? state.State.Version : 0);
            }

            return Verdict(clusterKey);
        }

        var observedAt = time.GetUtcNow();
        if (contribution is null)
            state.State.Contributions.Remove(clusterKey);
        else
            state.State.Contributions[clusterKey] = contribution;

        // Versions only grow, even if the state was lost with a silo: writers drop older ones.
        var previousVersion = state.State.Version;
        var version = state.State.Version = Math.Max(Math.Max(state.State.Version, _version) + 1, time.GetUtcNow().UtcTicks);
        _version = version;
        var isActive = state.State.Contributions.Count > 0;
        _index.Changed();
        try
        {
            if (isActive)
                await state.WriteOverStaleAsync();
            else
                await state.ClearOverStaleAsync();
        }
        catch
        {
            // Not persisted: undo it here too, so the caller's retry is a change again.
            if (existing is null)
                state.State.Contributions.Remove(clusterKey);
            else
                state.State.Contributions[clusterKey] = existing;

            state.State.Version = previousVersion;
            throw;
        }

        var before = _merge.Verdict;
        _merge = McsImportMerger.Merge(_ns, _name, version, state.State.Contributions.Values);
        if (_merge.Verdict != before)
        {
            foreach (var other in state.State.Contributions.Keys.Where(k => k != clusterKey))
            {
                // One-way: the other export may itself be waiting on this grain.
                _ = grains.GetGrain<IMcsServiceExportGrain>(ServiceKeys.Export(other, _ns, _name)).SetVerdict(_merge.Verdict);
            }
        }

        await PublishAsync(observedAt);
        await _index.SetAsync(isActive ? version : 0);
        if (!isActive)
            DeactivateOnIdle();

        return Verdict(clusterKey);
    }

    public Task<McsMergedImport?> GetImport() => Task.FromResult(_merge.Import);

    public Task<ImmutableArray<string>> GetContributors() =>
        Task.FromResult(state.State.Contributions.Keys.Order(StringComparer.Ordinal).ToImmutableArray());

    private McsExportVerdict Verdict(string clusterKey) =>
        state.State.Contributions.ContainsKey(clusterKey) ? _merge.Verdict : _merge.Verdict with { Included = false };

    /// <summary>Whether the import is unchanged in content (its version moves with every change of the service).</summary>
    private static bool SameContent(McsMergedImport? a, McsMergedImport? b) => a is null || b is null ? a == b : a with { Version = b.Version } == b;

    /// <summary>Sends each member the import when it changed for that member; a lost notification is healed by the writer's repair.</summary>
    private async Task PublishAsync(DateTimeOffset observedAt)
    {
        var channels = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(ChannelNames.Provider);
        foreach (var member in await MembersAsync())
        {
            if (_published.TryGetValue(member.ClusterKey, out var previous) && SameContent(_merge.Import, previous))
                continue;

            try
            {
                var channel = channels.GetChannelWriter<McsImportUpdate>(ChannelId.Create(ChannelNames.McsImports, member.ClusterKey));
                await channel.Publish(new McsImportUpdate(_ns, _name, _version, _merge.Import, observedAt));
                _published[member.ClusterKey] = _merge.Import;
            }
            catch (Exception ex)
            {
                LogPublishFailed(ex, _ns, _name, member.ClusterKey);
            }
        }
    }

    private async Task<ImmutableArray<ClusterInfo>> MembersAsync()
    {
        if (time.GetUtcNow() - _membersAt > MembersFreshness)
        {
            _members = await Directory.GetClusters();
            _membersAt = time.GetUtcNow();
        }

        return _members;
    }

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Could not re-assert MCS ServiceImport {Namespace}/{Name} in the directory's service index ({Message}); the next interval tries again")]
    private partial void LogIndexFailed(string @namespace, string name, string message);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Could not notify member {ClusterKey} of MCS ServiceImport {Namespace}/{Name}; its writer's repair will catch up")]
    private partial void LogPublishFailed(Exception ex, string @namespace, string name, string clusterKey);
}
