using System.Collections.Immutable;
using System.Diagnostics;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Writers;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// Decides one member's ServiceImports: what each must hold, its routing status and its policy's conditions, from
/// the member's import channel, member health and a periodic repair. Single-threaded, like every grain: the writes
/// themselves (queue, retries, the member watch that catches drift) run in the member's silo-local engine
/// (<see cref="MemberImportWriter"/>), which gets typed decisions and never touches this grain's state.
/// </summary>
[RegionPlacement]
[ImplicitChannelSubscription(ChannelNames.Imports)]
public sealed partial class ImportWriterGrain(
    IGrainFactory grains,
    MemberImportWriters engines,
    RegionAffinity affinity,
    IOptions<ErieCanalOptions> options,
    ILogger<ImportWriterGrain> logger) : Grain, IImportWriterGrain, IOnBroadcastChannelSubscribed
{
    // Views fetched in parallel on repair: enough for a cold start of thousands, small enough not to flood a silo.
    private const int RepairBatch = 64;
    private readonly EngineSink _sink = new();
    private ImportDecisions _decisions = null!;
    private string _clusterKey = "";
    private IGrainTimer? _repairTimer;
    private bool _retired;

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _clusterKey = this.GetPrimaryKeyString();
        _decisions = new ImportDecisions(_clusterKey, _sink);

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
        ErieCanalTelemetry.ForgetMemberHealth(this);
        if (_sink.Engine is { } engine)
        {
            _sink.Engine = null;
            await engines.DeactivateAsync(engine);
        }
    }

    public Task OnSubscribed(IBroadcastChannelSubscription subscription) =>
        subscription.Attach<ImportUpdate>(OnImportUpdateAsync, OnChannelErrorAsync);

    public Task SetPolicy(string ns, string name, TrafficPolicySpec? policy)
    {
        _decisions.SetPolicy(ServiceKeys.Service(ns, name), policy);
        return Task.CompletedTask;
    }

    public Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies)
    {
        _decisions.SyncPolicies(policies);
        return Task.CompletedTask;
    }

    public Task<Routing?> GetRouting(string ns, string name) => Task.FromResult(_decisions.RoutingOf(ServiceKeys.Service(ns, name)));

    public Task SetMemberHealth(ImmutableArray<MemberHealth> health)
    {
        // A child of the relay's call (Orleans propagates the trace): the routing patches it decides continue it.
        using var span = ErieCanalTelemetry.Source.StartActivity("ImportWriter.MemberHealth");
        span?.SetTag("eriecanal.member", _clusterKey);
        span?.SetTag("eriecanal.health.members", health.Length);
        if (health.Length == 1)
        {
            span?.SetTag("eriecanal.health.member", health[0].ClusterKey);
            span?.SetTag("eriecanal.health.healthy", health[0].Healthy);
        }

        var origin = span is null ? null : new WorkOrigin(span.Context);
        var changed = false;
        foreach (var decision in health)
        {
            changed |= _decisions.SetHealth(decision, origin);
        }

        if (changed)
        {
            ReportHealth();
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
        ErieCanalTelemetry.ForgetMemberHealth(this);

        // The engine lets writes in flight finish, or one could recreate an import after its sweep.
        var engine = _sink.Engine ?? engines.Activate(_clusterKey);
        _sink.Engine = null;
        await engine.RetireAsync();
        await engines.DeactivateAsync(engine);
        DeactivateOnIdle();
    }

    private Task OnImportUpdateAsync(ImportUpdate update)
    {
        // The channel carries no Activity: the export change's trace continues from the context it sent.
        ActivityContext.TryParse(update.TraceParent, null, isRemote: true, out var parent);
        using var span = ErieCanalTelemetry.Source.StartActivity("ImportWriter.Accept", ActivityKind.Consumer, parent);
        span?.SetTag("eriecanal.member", _clusterKey);
        span?.SetTag("eriecanal.service", $"{update.Namespace}/{update.Name}");
        var origin = new WorkOrigin(span?.Context ?? parent, update.ObservedAt);
        _decisions.Accept(ServiceKeys.Service(update.Namespace, update.Name), update.Version, update.Import, origin);
        return Task.CompletedTask;
    }

    /// <summary>This writer's view of member health, for the <c>eriecanal.member.healthy</c> gauge.</summary>
    private void ReportHealth()
    {
        if (!_retired)
        {
            ErieCanalTelemetry.ReportMemberHealth(this, _decisions.Known, _decisions.Unhealthy);
        }
    }

    private Task OnChannelErrorAsync(Exception ex)
    {
        LogChannelError(_clusterKey, ex.Message);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Level-triggered repair, cheap enough to run often: fetch the views of services whose version moved past
    /// ours, have the engine rewrite what the member lost, and delete imports nobody wants — asking the service's
    /// grain, the authority, first, and only once every member has synced, so a cold start never deletes early.
    /// </summary>
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
            var clusters = await RefreshMembersAsync();
            if (_sink.Engine is not { } engine)
            {
                return;
            }

            foreach (var health in await grains.GetGrain<IMemberHealthRelayGrain>(ChannelNames.HealthKey).GetAll())
            {
                _decisions.SetHealth(health);
            }

            ReportHealth();

            // The index holds both API families; MCS services (mcs:ns/name) are the MCS writer's.
            var services = (await Directory.GetServices()).Where(s => ServiceKeys.FromMcsIndex(s.Key) is null).ToDictionary(StringComparer.Ordinal);
            var behind = services.Where(s => _decisions.VersionOf(s.Key) < s.Value).ToList();
            foreach (var batch in behind.Chunk(RepairBatch))
            {
                var views = await Task.WhenAll(batch.Select(s => grains.GetGrain<IServiceImportGrain>(s.Key).GetViewFor(_clusterKey)));
                for (var i = 0; i < batch.Length; i++)
                {
                    _decisions.Accept(batch[i].Key, Math.Max(batch[i].Value, views[i]?.Version ?? 0), views[i]);
                }
            }

            _decisions.ResendConditions();
            engine.Resync();
            if (!engine.Synced || clusters.Count == 0 || !clusters.All(c => c.Synced || !c.Managed))
            {
                return;
            }

            foreach (var key in engine.PresentKeys().Where(k => !services.ContainsKey(k)))
            {
                var view = await grains.GetGrain<IServiceImportGrain>(key).GetViewFor(_clusterKey);
                if (view is null)
                {
                    _decisions.Withdraw(key);
                }
                else
                {
                    _decisions.Accept(key, view.Version, view);
                }
            }
        }
        catch (Exception ex)
        {
            LogRepairFailed(_clusterKey, ex.Message);
        }
    }

    /// <summary>Reads the members; starts this member's engine once it is one (and sends it every decision).</summary>
    private async Task<IReadOnlyList<ClusterInfo>> RefreshMembersAsync()
    {
        var clusters = await Directory.GetClusters();
        _decisions.SetMembers(clusters);
        ReportHealth();
        var member = clusters.Any(c => c.ClusterKey == _clusterKey);
        if (member && !_retired && _sink.Engine is null)
        {
            _sink.Engine = engines.Activate(_clusterKey);
            _decisions.ResendAll();
        }

        return clusters;
    }

    /// <summary>The member's engine while this grain may write, else nothing (decisions are resent when one starts).</summary>
    private sealed class EngineSink : IImportWorkSink
    {
        public MemberImportWriter? Engine { get; set; }

        public void Submit(ImportWork work) => Engine?.Submit(work);
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Repair of member {ClusterKey} failed ({Message}); the next round retries")]
    private partial void LogRepairFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "The import channel of member {ClusterKey} reported an error: {Message}")]
    private partial void LogChannelError(string clusterKey, string message);
}
