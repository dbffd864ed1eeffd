using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Directory;
using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Imports;

[GenerateSerializer]
public sealed class ServiceImportState
{
    [Id(0)]
    public Dictionary<string, ExportContribution> Contributions { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public long Version { get; set; }
}

/// <summary>
/// One multi-cluster service. Persists every cluster's contribution, merges them under the MCS conflict rules, tells
/// each export its verdict, and pushes each member's view to that member's writer through the member's channel.
/// Each export change starts a trace here that the writers and their writes into every member continue.
/// Keeps the service's entry in the directory's index, which every writer's repair reads (<see cref="ServiceIndexEntry"/>).
/// </summary>
public sealed partial class ServiceImportGrain(
    [PersistentState("import", StorageNames.Grains)] IPersistentState<ServiceImportState> state,
    IGrainFactory grains,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<ServiceImportGrain> logger) : Grain, IServiceImportGrain
{
    private static readonly TimeSpan MembersFreshness = TimeSpan.FromSeconds(2);
    private readonly Dictionary<string, MergedImport?> _published = new(StringComparer.Ordinal);
    private long _version;
    private string _ns = "";
    private string _name = "";
    private MergeResult _merge = null!;
    private ImmutableArray<ClusterInfo> _members = [];
    private DateTimeOffset _membersAt = DateTimeOffset.MinValue;
    private ServiceIndexEntry _index = null!;

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_ns, _name) = ServiceKeys.ParseService(this.GetPrimaryKeyString());
        _version = state.State.Version;
        _merge = ImportMerger.Merge(_ns, _name, _version, state.State.Contributions.Values);
        _index = new ServiceIndexEntry(grains, this.GetPrimaryKeyString());
        _index.KeepAsserted(this, options.Value.RepairInterval, ex => LogIndexFailed(_ns, _name, ex.Message));
        if (state.State.Contributions.Count > 0)
        {
            // Idempotent: keeps the directory's service index whole even if it lost state.
            await _index.SetAsync(state.State.Version);

            // What was read back may be older than what the exports last sent (a store that lost writes): each
            // contributor sends its contribution again, or withdraws it if its export is gone. One-way, after this
            // activation completes, so an export calling in meanwhile never waits on it.
            var contributors = state.State.Contributions.Keys.ToList();
            this.RegisterGrainTimer(_ =>
            {
                foreach (var clusterKey in contributors)
                {
                    grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(clusterKey, _ns, _name)).Reconfirm().Ignore();
                }

                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task<ConflictVerdict> Contribute(string clusterKey, ExportContribution? contribution)
    {
        state.State.Contributions.TryGetValue(clusterKey, out var existing);
        if (existing == contribution)
        {
            if (!_index.Acknowledged)
            {
                // The last change was persisted here but its directory call failed (e.g. the directory's silo was
                // killed): the caller's retry brings no change, so re-send it now or repair waits for the timer.
                await _index.SetAsync(state.State.Contributions.Count > 0 ? state.State.Version : 0);
            }

            return Verdict(clusterKey);
        }

        // One trace per export change: a child of the export grain's call when Orleans propagates one.
        using var span = ErieCanalTelemetry.Source.StartActivity("ServiceImport.ExportChanged");
        span?.SetTag("eriecanal.service", $"{_ns}/{_name}");
        span?.SetTag("eriecanal.exporter", clusterKey);
        span?.SetTag("eriecanal.withdrawn", contribution is null);
        var observedAt = time.GetUtcNow();

        if (contribution is null)
        {
            state.State.Contributions.Remove(clusterKey);
        }
        else
        {
            state.State.Contributions[clusterKey] = contribution;
        }

        // Versions only grow, even if the state was lost with a silo (memory storage): writers drop older ones.
        var previousVersion = state.State.Version;
        var version = state.State.Version = Math.Max(Math.Max(state.State.Version, _version) + 1, time.GetUtcNow().UtcTicks);
        _version = version;
        var isActive = state.State.Contributions.Count > 0;
        _index.Changed();
        try
        {
            if (isActive)
            {
                await state.WriteOverStaleAsync();
            }
            else
            {
                // The last contribution went: nothing is left to keep (versions stay ahead through the clock and
                // _version, as clearing resets the state).
                await state.ClearOverStaleAsync();
            }
        }
        catch
        {
            // Not persisted: undo it here too, so the caller's retry is a change again and is written then (kept in
            // memory only, it would make the retry a no-op and be lost with this activation).
            if (existing is null)
            {
                state.State.Contributions.Remove(clusterKey);
            }
            else
            {
                state.State.Contributions[clusterKey] = existing;
            }

            state.State.Version = previousVersion;
            throw;
        }

        var before = _merge.Verdicts;
        _merge = ImportMerger.Merge(_ns, _name, version, state.State.Contributions.Values);
        foreach (var (other, verdict) in _merge.Verdicts)
        {
            if (other != clusterKey && (!before.TryGetValue(other, out var old) || !Equals(old, verdict)))
            {
                // One-way: the other export may itself be waiting on this grain.
                _ = grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(other, _ns, _name)).SetConflict(verdict);
            }
        }

        await PublishAsync(observedAt, span?.Id);
        await _index.SetAsync(isActive ? version : 0);
        if (!isActive)
        {
            DeactivateOnIdle();
        }

        return Verdict(clusterKey);
    }

    public Task<MergedImport?> GetViewFor(string clusterKey) => Task.FromResult(ImportMerger.ViewFor(_merge, clusterKey));

    public Task<ImmutableArray<string>> GetContributors() => Task.FromResult(state.State.Contributions.Keys.Order(StringComparer.Ordinal).ToImmutableArray());

    /// <summary>Whether a member's view is unchanged in content (its version moves with every change of the service).</summary>
    private static bool SameContent(MergedImport? a, MergedImport? b) => a is null || b is null ? a == b : a with { Version = b.Version } == b;

    private ConflictVerdict Verdict(string clusterKey) =>
        _merge.Verdicts.TryGetValue(clusterKey, out var verdict) ? verdict : ConflictVerdict.None;

    /// <summary>Sends each member its view when it changed. A lost notification is healed by the writer's repair.</summary>
    private async Task PublishAsync(DateTimeOffset observedAt, string? traceParent)
    {
        var channels = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(ChannelNames.Provider);
        foreach (var member in await MembersAsync())
        {
            // After an activation nothing is known of what members hold, so everything (withdrawals included) is
            // sent once; after that only changes are.
            var view = ImportMerger.ViewFor(_merge, member.ClusterKey);
            if (_published.TryGetValue(member.ClusterKey, out var previous) && SameContent(view, previous))
            {
                continue;
            }

            try
            {
                var channel = channels.GetChannelWriter<ImportUpdate>(ChannelId.Create(ChannelNames.Imports, member.ClusterKey));
                await channel.Publish(new ImportUpdate(_ns, _name, _version, view, observedAt, traceParent));
                _published[member.ClusterKey] = view;
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

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Could not re-assert ServiceImport {Namespace}/{Name} in the directory's service index ({Message}); the next interval tries again")]
    private partial void LogIndexFailed(string @namespace, string name, string message);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Could not notify member {ClusterKey} of ServiceImport {Namespace}/{Name}; its writer's repair will catch up")]
    private partial void LogPublishFailed(Exception ex, string @namespace, string name, string clusterKey);
}
