using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Grains.Kubernetes;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Members;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Members;

[GenerateSerializer]
public sealed class ClusterGrainState
{
    [Id(0)]
    public ClusterSpec? Spec { get; set; }

    /// <summary>Service keys this member has exported, so exports deleted while nobody watched are withdrawn.</summary>
    [Id(1)]
    public HashSet<string> KnownExports { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The resourceVersion the Cluster object was deleted at; older upserts are ignored.</summary>
    [Id(2)]
    public string? Tombstone { get; set; }
}

/// <summary>
/// One member cluster: owns its member session (watchers), decides its health from every silo's probes with
/// hysteresis, and reports Managed and Healthy as conditions and events on the Cluster object.
/// </summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Grains)] IPersistentState<ClusterGrainState> state,
    IGrainFactory grains,
    ControlPlaneConnection controlPlane,
    MemberClients clients,
    IOptions<ErieCanalOptions> options,
    ILocalSiloDetails silo,
    RegionAffinity affinity,
    ILoggerFactory loggers) : Grain, IClusterGrain
{
    private readonly ILogger _logger = loggers.CreateLogger<ClusterGrain>();
    private readonly Dictionary<string, (DateTime At, bool Api, bool Gateway)> _probes = new(StringComparer.Ordinal);
    private MemberSession? _session;
    private string? _kubeconfig;
    private IReadOnlyCollection<string>? _lastSessionExports;
    private SessionReport _report = new("", false, false, ConditionReasons.Connecting, "waiting for the member session");
    private CrdReport? _crds;
    private bool _healthy = true;
    private string _healthReason = ConditionReasons.ProbesSucceeded;
    private string _healthMessage = "no probe has failed";
    private int _badRounds;
    private int _goodRounds;
    private List<Condition>? _written;
    private string? _writtenFor;
    private DateTime _registeredAt = DateTime.MinValue;
    private IGrainTimer? _tick;

    private ErieCanalOptions Options => options.Value;

    private string ClusterKey => this.GetPrimaryKeyString();

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is not null)
        {
            StartSession();
        }

        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(Options.ProbeInterval, Options.ProbeInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _tick?.Dispose();
        await StopSessionAsync();
    }

    public async Task Upsert(ClusterSpec spec)
    {
        if (state.State.Tombstone is { } tombstone && CompareVersions(spec.ResourceVersion, tombstone) <= 0)
        {
            return;
        }

        var current = state.State.Spec;
        if (current is not null && current.ResourceVersion == spec.ResourceVersion)
        {
            if (_session is null)
            {
                StartSession();
            }

            await RegisterAsync(force: false);
            return;
        }

        if (current is not null && CompareVersions(spec.ResourceVersion, current.ResourceVersion) < 0)
        {
            return;
        }

        var reconnect = current is null || current.Kubeconfig != spec.Kubeconfig || current.KubeconfigSecretRef != spec.KubeconfigSecretRef
            || current.GatewayHost != spec.GatewayHost || current.GatewayPort != spec.GatewayPort;
        state.State.Spec = spec;
        state.State.Tombstone = null;
        await state.WriteStateAsync();
        if (reconnect || _session is null)
        {
            await StopSessionAsync();
            clients.Invalidate(ClusterKey);
            StartSession();
        }

        LogUpserted(ClusterKey, spec.ResourceVersion);
        await RegisterAsync(force: true);
        await WriteStatusAsync();
    }

    public async Task Remove(string lastResourceVersion)
    {
        if (state.State.Spec is not { } spec)
        {
            state.State.Tombstone = MaxVersion(state.State.Tombstone, lastResourceVersion);
            await state.WriteStateAsync();
            return;
        }

        LogRemoving(ClusterKey);
        var fed = _session?.KnownExports ?? [];
        await StopSessionAsync();
        fed = _lastSessionExports ?? fed;

        // Leave the directory first, so no importer fans out to this member any more; then withdraw every export
        // of the member everywhere, and delete the imports written into it.
        await Directory.Unregister(ClusterKey);
        // The session may have fed exports it had not yet reported: withdraw those too.
        foreach (var key in state.State.KnownExports.Union(fed, StringComparer.Ordinal))
        {
            var (ns, name) = ServiceKeys.ParseService(key);
            await grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(ClusterKey, ns, name)).Observe(new ExportObservation(null, null, 0, null, false));
        }

        await grains.GetGrain<IImportWriterGrain>(ClusterKey).Retire();
        await RemoveIngressesAsync();
        await ClearExportStatusesAsync(state.State.KnownExports.Union(fed, StringComparer.Ordinal));
        await ReleaseClaimAsync(spec);
        clients.Invalidate(ClusterKey);

        state.State.Spec = null;
        state.State.KnownExports.Clear();
        state.State.Tombstone = MaxVersion(spec.ResourceVersion, lastResourceVersion);
        await state.WriteStateAsync();
        DeactivateOnIdle();
    }

    public async Task ReportSession(SessionReport report)
    {
        if (state.State.Spec is null || report.SessionId != _session?.SessionId)
        {
            return;
        }

        _kubeconfig = _session.Kubeconfig ?? _kubeconfig;

        var becameSynced = report.Synced && report.Connected && !(_report.Synced && _report.Connected);
        _report = report;
        await RegisterAsync(force: true);
        await WriteStatusAsync();
        if (becameSynced)
        {
            await RecordEventAsync(false, "Managed", "connected to the member; its watches are synced");
            await grains.GetGrain<IImportWriterGrain>(ClusterKey).Repair();
        }
        else if (!report.Connected && report.Reason != ConditionReasons.Connecting)
        {
            await RecordEventAsync(true, report.Reason, report.Message);
        }
    }

    public async Task ReportCrds(string sessionId, CrdReport report)
    {
        if (state.State.Spec is null || sessionId != _session?.SessionId)
        {
            return;
        }

        var previous = _crds;
        _crds = report;
        await WriteStatusAsync();
        if (report.Upgraded.Length > 0)
        {
            await RecordEventAsync(false, ConditionReasons.CrdsUpgraded, report.Message);
        }

        if (!report.Compatible && (previous is null || previous.Compatible || previous.Message != report.Message))
        {
            await RecordEventAsync(true, report.Reason, report.Message);
        }
    }

    public async Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys)
    {
        if (state.State.Spec is null || sessionId != _session?.SessionId)
        {
            return;
        }

        state.State.KnownExports = new HashSet<string>(serviceKeys, StringComparer.Ordinal);
        await state.WriteStateAsync();
    }

    public Task ReportProbe(string silo, bool apiServerOk, bool gatewayOk)
    {
        _probes[silo] = (DateTime.UtcNow, apiServerOk, gatewayOk);
        return Task.CompletedTask;
    }

    public Task<string?> GetKubeconfig() => Task.FromResult(_session?.Kubeconfig ?? _kubeconfig);

    public Task<ClusterState> GetState() => Task.FromResult(new ClusterState(
        ClusterKey,
        silo.Name,
        _report.Connected && _report.Synced,
        _report.Reason,
        _report.Message,
        _healthy,
        _healthReason,
        [.. state.State.KnownExports.Order(StringComparer.Ordinal)]));

    private void StartSession()
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }

        _kubeconfig = spec.Kubeconfig;

        _session = new MemberSession(spec, state.State.KnownExports, grains, controlPlane, Options, loggers.CreateLogger<MemberSession>());
        _session.SetClusterHealthy(_healthy);
    }

    /// <summary>
    /// Stops the session's feeding (awaited: no observation may land after this) but not its reporting, which may
    /// be waiting on a call into this grain; its late reports are ignored by session id.
    /// </summary>
    private async Task StopSessionAsync()
    {
        if (_session is { } session)
        {
            _kubeconfig = session.Kubeconfig ?? _kubeconfig;
            _session = null;
            await session.StopFeedingAsync();
            _lastSessionExports = session.KnownExports;
            _ = session.DisposeAsync().AsTask();
        }
    }

    /// <summary>
    /// Health from the silos' fresh probe reports: a round is bad when most silos saw the API server or the gateway
    /// fail (a tie is not a majority). Thresholds on consecutive rounds give hysteresis, so a flaky probe cannot flap.
    /// </summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is null)
        {
            return;
        }

        var fresh = _probes.Values.Where(p => DateTime.UtcNow - p.At < Options.ProbeInterval * 3).ToList();
        if (fresh.Count > 0)
        {
            var bad = fresh.Count(p => !p.Api || !p.Gateway);
            if (bad * 2 > fresh.Count)
            {
                _badRounds++;
                _goodRounds = 0;
            }
            else
            {
                _goodRounds++;
                _badRounds = 0;
            }

            if (_healthy && _badRounds >= Options.UnhealthyThreshold)
            {
                var apiDown = fresh.Count(p => !p.Api) * 2 > fresh.Count;
                await SetHealthAsync(false, apiDown ? ConditionReasons.ApiServerUnreachable : ConditionReasons.GatewayUnreachable,
                    $"{bad} of {fresh.Count} silos could not reach the member's {(apiDown ? "API server" : "gateway")} for {_badRounds} consecutive probe rounds");
            }
            else if (!_healthy && _goodRounds >= Options.HealthyThreshold)
            {
                await SetHealthAsync(true, ConditionReasons.ProbesSucceeded, $"{fresh.Count} silos reached the member for {_goodRounds} consecutive probe rounds");
            }
        }

        if (DateTime.UtcNow - _registeredAt > Options.ResyncInterval)
        {
            await RegisterAsync(force: true);
            if (affinity.ShouldMoveHome(ClusterKey))
            {
                // Placed before a silo of the member's region was up: move next to the member.
                LogMovingHome(ClusterKey);
                MigrateOnIdle();
            }
        }
    }

    private async Task SetHealthAsync(bool healthy, string reason, string message)
    {
        _healthy = healthy;
        _healthReason = reason;
        _healthMessage = message;
        ErieCanalTelemetry.HealthTransitions.Add(1, new KeyValuePair<string, object?>("healthy", healthy));
        LogHealthChanged(ClusterKey, healthy, reason, message);
        _session?.SetClusterHealthy(healthy);
        await RegisterAsync(force: true);
        await WriteStatusAsync();
        await RecordEventAsync(!healthy, healthy ? "ClusterRecovered" : "ClusterUnhealthy", message);
    }

    private async Task RegisterAsync(bool force)
    {
        if (state.State.Spec is not { } spec || (!force && DateTime.UtcNow - _registeredAt < Options.ResyncInterval))
        {
            return;
        }

        var gateway = spec.GatewayHost is { } host ? new GatewayAddress(host, host, spec.GatewayPort) : null;
        await Directory.Register(new ClusterInfo(ClusterKey, spec.Name, _report.Connected && _report.Synced, _healthy, _report.Synced, gateway));
        _registeredAt = DateTime.UtcNow;
    }

    private async Task WriteStatusAsync()
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }

        try
        {
            if (_written is null || _writtenFor != spec.Name)
            {
                _written = await StatusPatches.ReadConditionsAsync(controlPlane.Client, ClusterResource.Plural, null, spec.Name, CancellationToken.None) ?? [];
                _writtenFor = spec.Name;
            }

            var now = DateTime.UtcNow;
            var managed = _report.Connected && _report.Synced;
            var conditions = ConditionList.Set(_written, ConditionTypes.Managed, managed, _report.Reason, _report.Message, spec.Generation, now);
            conditions = ConditionList.Set(conditions, ConditionTypes.Healthy, _healthy, _healthReason, _healthMessage, spec.Generation, now);
            if (_crds is { } crds)
            {
                conditions = ConditionList.Set(conditions, ConditionTypes.CrdsCompatible, crds.Compatible, crds.Reason, crds.Message, spec.Generation, now);
            }
            if (ConditionList.SameState(conditions, _written) && _written.Count > 0)
            {
                return;
            }

            await StatusPatches.PatchStatusAsync(controlPlane.Client, ClusterResource.Plural, null, spec.Name, new JsonObject
            {
                ["observedGeneration"] = spec.Generation,
                ["clusterKey"] = ClusterKey,
                ["conditions"] = StatusPatches.ToJson(conditions),
            }, CancellationToken.None);
            _written = conditions;
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The Cluster object is being deleted; its removal follows.
        }
        catch (Exception ex)
        {
            _written = null;
            LogStatusWriteFailed(ex, ClusterKey);
        }
    }

    private async Task RecordEventAsync(bool warning, string reason, string message)
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }

        try
        {
            await KubeEvents.RecordAsync(controlPlane.Client, "Cluster", null, spec.Name, spec.Uid, warning, reason, message, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogEventFailed(ex, ClusterKey);
        }
    }

    /// <summary>SPEC §4: a removed member is left as if it never joined, so our conditions leave its exports too.</summary>
    private async Task ClearExportStatusesAsync(IEnumerable<string> serviceKeys)
    {
        try
        {
            var client = await clients.GetAsync(ClusterKey);
            foreach (var key in serviceKeys)
            {
                var (ns, name) = ServiceKeys.ParseService(key);
                try
                {
                    await StatusPatches.PatchStatusAsync(client, ServiceExportResource.Plural, ns, name,
                        new JsonObject { ["observedGeneration"] = null, ["conditions"] = null }, CancellationToken.None);
                }
                catch (Exception ex) when (ApiErrors.IsNotFound(ex))
                {
                }
            }
        }
        catch (Exception ex)
        {
            // An unreachable member keeps the stale conditions; they name a control plane that no longer manages it.
            LogReleaseFailed(ex, ClusterKey);
        }
    }

    /// <summary>The export grains removed their Ingresses as they were withdrawn; this sweeps any left behind.</summary>
    private async Task RemoveIngressesAsync()
    {
        try
        {
            await IngressWriter.DeleteAllAsync(await clients.GetAsync(ClusterKey), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An unreachable member keeps its Ingresses; they are owned by its exports and go with them.
            LogReleaseFailed(ex, ClusterKey);
        }
    }

    private async Task ReleaseClaimAsync(ClusterSpec spec)
    {
        try
        {
            var client = await clients.GetAsync(ClusterKey);
            await MemberSession.ReleaseClaimAsync(client, await controlPlane.GetIdentityAsync(CancellationToken.None), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An unreachable member keeps its claim; deleting the ConfigMap by hand frees it.
            LogReleaseFailed(ex, spec.Name);
        }
    }

    private static int CompareVersions(string a, string b) =>
        long.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) && long.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    private static string MaxVersion(string? a, string b) => a is null || CompareVersions(b, a) > 0 ? b : a;

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Member {ClusterKey} registered at resourceVersion {ResourceVersion}")]
    private partial void LogUpserted(string clusterKey, string resourceVersion);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Member {ClusterKey} is leaving: withdrawing its exports and imports")]
    private partial void LogRemoving(string clusterKey);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Member {ClusterKey} health: {Healthy} ({Reason}: {Message})")]
    private partial void LogHealthChanged(string clusterKey, bool healthy, string reason, string message);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Could not write the status of Cluster {ClusterKey}")]
    private partial void LogStatusWriteFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Could not record an event for Cluster {ClusterKey}")]
    private partial void LogEventFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Member grain {ClusterKey} moves to a silo of its region")]
    private partial void LogMovingHome(string clusterKey);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Could not release the claim on member {Name}")]
    private partial void LogReleaseFailed(Exception ex, string name);
}
