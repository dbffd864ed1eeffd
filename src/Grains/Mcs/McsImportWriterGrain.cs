using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// Decides one member's MCS objects (<see cref="McsImportDecisions"/>), the shape of the flomesh
/// <c>ImportWriterGrain</c>: fed by the member's MCS import channel, member health and a periodic repair; the member's
/// silo-local engine (<see cref="IMcsImportEngines"/>) does the writes and never touches this grain's state.
/// Repair fetches the imports whose version in the directory's MCS index moved past this writer's, and re-reads
/// the ones it knows that the index no longer lists (gone, and the notification lost).
/// </summary>
[RegionPlacement]
[ImplicitChannelSubscription(ChannelNames.McsImports)]
public sealed partial class McsImportWriterGrain(
    IGrainFactory grains,
    IMcsImportEngines engines,
    RegionAffinity affinity,
    IOptions<ErieCanalOptions> options,
    ILogger<McsImportWriterGrain> logger) : Grain, IMcsImportWriterGrain, IOnBroadcastChannelSubscribed
{
    // Imports fetched in parallel on repair.
    private const int RepairBatch = 64;
    private readonly EngineSink _sink = new();
    private McsImportDecisions _decisions = null!;
    private string _clusterKey = "";
    private IGrainTimer? _repairTimer;
    private bool _retired;

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _clusterKey = this.GetPrimaryKeyString();
        _decisions = new McsImportDecisions(_sink);

        // A member that left (or never joined) is not written to, even if a late notification wakes this grain.
        await RefreshMembersAsync();

        // Jitter: the writers of all members must not repair at the same moment.
        var interval = options.Value.RepairInterval;
        var first = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
        _repairTimer = this.RegisterGrainTimer(RepairAsync, new GrainTimerCreationOptions(first, interval) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _repairTimer?.Dispose();
        if (_sink.Engine is { } engine)
        {
            _sink.Engine = null;
            await engines.DeactivateAsync(engine);
        }
    }

    public Task OnSubscribed(IBroadcastChannelSubscription subscription) =>
        subscription.Attach<McsImportUpdate>(OnImportUpdateAsync, OnChannelErrorAsync);

    public Task SetMemberHealth(ImmutableArray<MemberHealth> health)
    {
        foreach (var decision in health)
        {
            _decisions.SetHealth(decision);
        }

        return Task.CompletedTask;
    }

    public Task Repair()
    {
        // The repair runs as the timer's own turn, so the caller never waits on it.
        _repairTimer?.Change(TimeSpan.Zero, options.Value.RepairInterval);
        return Task.CompletedTask;
    }

    public async Task Retire()
    {
        _retired = true;
        _repairTimer?.Dispose();

        // The engine lets writes in flight finish, or one could recreate an import after its sweep.
        var engine = _sink.Engine ?? engines.Activate(_clusterKey);
        _sink.Engine = null;
        await engines.RetireAsync(engine);
        await engines.DeactivateAsync(engine);
        DeactivateOnIdle();
    }

    private Task OnImportUpdateAsync(McsImportUpdate update)
    {
        _decisions.Accept(update.Namespace, update.Name, update.Version, update.Import);
        return Task.CompletedTask;
    }

    private Task OnChannelErrorAsync(Exception ex)
    {
        LogChannelError(_clusterKey, ex.Message);
        return Task.CompletedTask;
    }

    /// <summary>Level-triggered repair: member health from the relay, and the imports the index says this writer is behind on.</summary>
    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        if (affinity.ShouldMoveHome(_clusterKey))
        {
            // Placed before a silo of the member's region was up: move next to the member (state is rebuilt by repair).
            MigrateOnIdle();
            return;
        }

        try
        {
            await RefreshMembersAsync();
            if (_sink.Engine is null)
            {
                return;
            }

            foreach (var health in await grains.GetGrain<IMemberHealthRelayGrain>(ChannelNames.HealthKey).GetAll())
            {
                _decisions.SetHealth(health);
            }

            var indexed = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (key, version) in await Directory.GetServices())
            {
                if (ServiceKeys.FromMcsIndex(key) is { } service)
                {
                    indexed[service] = version;
                }
            }

            var due = indexed.Where(s => _decisions.VersionOf(s.Key) < s.Value).Select(s => s.Key)
                .Concat(_decisions.Imported.Where(k => !indexed.ContainsKey(k)))
                .ToList();
            foreach (var batch in due.Chunk(RepairBatch))
            {
                var imports = await Task.WhenAll(batch.Select(k => grains.GetGrain<IMcsServiceImportGrain>(k).GetImport()));
                for (var i = 0; i < batch.Length; i++)
                {
                    var (ns, name) = ServiceKeys.ParseService(batch[i]);
                    if (imports[i] is { } import)
                    {
                        _decisions.Accept(ns, name, import.Version, import);
                    }
                    else
                    {
                        // Gone meanwhile and the notification lost: one past the known version removes it.
                        _decisions.Accept(ns, name, _decisions.VersionOf(batch[i]) + 1, null);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            LogRepairFailed(_clusterKey, ex.Message);
        }
    }

    /// <summary>Starts this member's engine once it is a member (and sends it every decision).</summary>
    private async Task RefreshMembersAsync()
    {
        var clusters = await Directory.GetClusters();
        if (!_retired && _sink.Engine is null && clusters.Any(c => c.ClusterKey == _clusterKey))
        {
            _sink.Engine = engines.Activate(_clusterKey);
            _decisions.ResendAll();
        }
    }

    /// <summary>The member's engine while this grain may write, else nothing (decisions are resent when one starts).</summary>
    private sealed class EngineSink : IMcsImportWorkSink
    {
        public IMcsImportWorkSink? Engine { get; set; }

        public void Submit(IMcsImportWork work) => Engine?.Submit(work);
    }

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "MCS repair of member {ClusterKey} failed ({Message}); the next round retries")]
    private partial void LogRepairFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "The MCS import channel of member {ClusterKey} reported an error: {Message}")]
    private partial void LogChannelError(string clusterKey, string message);
}
