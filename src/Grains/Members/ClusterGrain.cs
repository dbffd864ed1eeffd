using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Exports;
using ErieCanal.Orleans.Watchers.Logging;
using ErieCanal.Orleans.Watchers.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Members;

[GenerateSerializer]
public sealed class ClusterGrainState
{
    /// <summary>
    /// The member's Cluster spec without its inline kubeconfig (<see cref="Keep"/>): credentials stay on the control
    /// plane and in each silo's <see cref="MemberCredentials"/>, not in the grain store. State written by an older
    /// version may still hold it; the grain strips it on activation.
    /// </summary>
    [Id(0)]
    public ClusterSpec? Spec { get; set; }

    /// <summary>Service keys this member has exported, so exports deleted while nobody watched are withdrawn.</summary>
    [Id(1)]
    public HashSet<string> KnownExports { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The resourceVersion the Cluster object was deleted at; older upserts are ignored.</summary>
    [Id(2)]
    public string? Tombstone { get; set; }

    /// <summary>Grows with every health decision, so writers drop stale or repeated ones across activations.</summary>
    [Id(3)]
    public long HealthSequence { get; set; }

    /// <summary>The Cluster uid whose inline kubeconfig was warned about in an Event, so the warning is given once.</summary>
    [Id(4)]
    public string? InlineKubeconfigWarned { get; set; }

    /// <summary>
    /// The reason of the last health verdict published (sequence <see cref="HealthSequence"/>) if it was Unhealthy,
    /// else null, so a new activation resumes from it.
    /// </summary>
    [Id(5)]
    public string? UnhealthyReason { get; set; }

    /// <summary>
    /// SHA-256 (hex) of the inline kubeconfig <see cref="Spec"/> was stored without, null when it had none: tells a
    /// change of kubeconfig, and which cached kubeconfig is the one to put back.
    /// </summary>
    [Id(6)]
    public string? InlineKubeconfigDigest { get; set; }

    /// <summary>Stores <paramref name="spec"/> without its inline kubeconfig, keeping only the kubeconfig's digest.</summary>
    public void Keep(ClusterSpec spec)
    {
        Spec = spec with { Kubeconfig = null };
        InlineKubeconfigDigest = Digest(spec.Kubeconfig);
    }

    /// <summary>The member left: no spec, no digest.</summary>
    public void Forget()
    {
        Spec = null;
        InlineKubeconfigDigest = null;
    }

    /// <summary>
    /// The full spec: the stored one, with its inline kubeconfig put back from <paramref name="cachedKubeconfig"/>
    /// (the silo's <see cref="MemberCredentials"/>) when that is the kubeconfig stored as a digest. Null when there is
    /// no spec, or its kubeconfig is not (yet) the cached one: the next Upsert brings it.
    /// </summary>
    public ClusterSpec? Restore(string? cachedKubeconfig)
    {
        if (Spec is not { } stored || InlineKubeconfigDigest is not { } digest)
        {
            // No spec, or no inline kubeconfig to put back (a Secret reference, or state that still holds it).
            return Spec;
        }

        return cachedKubeconfig is not null && Digest(cachedKubeconfig) == digest ? stored with { Kubeconfig = cachedKubeconfig } : null;
    }

    /// <summary>
    /// Null for no kubeconfig (blank counts as none, as everywhere a kubeconfig is read); never reversible to the
    /// text, whose credentials carry far too much entropy to guess.
    /// </summary>
    public static string? Digest(string? kubeconfig) =>
        string.IsNullOrWhiteSpace(kubeconfig) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kubeconfig)));
}

/// <summary>
/// One member cluster: owns its member session (watchers), decides its health from every silo's probes with
/// hysteresis (<see cref="MemberHealthJudge"/>), publishes each decision on the health channel and registers it
/// with the directory, and reports Managed and Healthy as conditions and events on the Cluster object, and whether
/// its credentials are kept in a Secret (CredentialsSecure). Messages from the session are masked of the member's
/// credentials before they reach a condition or an Event. The grain store never holds an inline kubeconfig (only its
/// digest): an activation takes it from the silo's <see cref="MemberCredentials"/>, or from the watcher's next Upsert.
/// </summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Grains)] IPersistentState<ClusterGrainState> state,
    IGrainFactory grains,
    ControlPlaneConnection controlPlane,
    MemberCredentials credentials,
    MemberClients clients,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILocalSiloDetails silo,
    RegionAffinity affinity,
    ILoggerFactory loggers) : Grain, IClusterGrain
{
    private readonly ILogger _logger = loggers.CreateLogger<ClusterGrain>();
    private readonly MemberHealthJudge _health = new(time, options.Value.Health.MemberFreshness, options.Value.Health.UnhealthyThreshold, options.Value.Health.HealthyThreshold);
    private readonly FailureStreak _statusFailures = new();
    /// <summary>
    /// The full spec, inline kubeconfig included, kept in memory only (the stored one has none). Null while the
    /// member's kubeconfig is awaited: reactivated on a silo whose watcher has not resolved it yet, the grain is still
    /// a member (<c>state.State.Spec</c>) but starts its session only when an Upsert brings the spec.
    /// </summary>
    private ClusterSpec? _spec;
    private MemberSession? _session;
    private IReadOnlyCollection<string>? _lastSessionExports;
    private SessionReport _report = new("", false, false, ConditionReasons.Connecting, "waiting for the member session");
    private CrdReport? _crds;
    private ConditionWriter? _status;
    private string? _statusFor;
    private DateTimeOffset _registeredAt = DateTimeOffset.MinValue;
    private IGrainTimer? _tick;
    private IGrainTimer? _healthChange;
    private bool _publishedHealthy = true;

    private ErieCanalOptions Options => options.Value;

    private string ClusterKey => this.GetPrimaryKeyString();

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The verdict stands until the probes say otherwise: a member that was unhealthy is not declared healthy by a
        // new activation that has heard no probe yet (and one that recovered meanwhile is published as it recovers).
        _publishedHealthy = state.State.UnhealthyReason is null;
        _health.Resume(state.State.UnhealthyReason);
        if (state.State.Spec is { Kubeconfig: not null } written)
        {
            _spec = written;
            await StripStoredKubeconfigAsync(written);
        }
        else
        {
            _spec = state.State.Restore(credentials.Find(ClusterKey)?.Kubeconfig);
        }

        StartSession();

        // Health is judged on each report; the tick only expires reports of silos gone silent (and resyncs).
        var tick = Options.Health.ProbeInterval * 2;
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
    }

    /// <summary>State written by an older version holds the inline kubeconfig: rewritten without it at once.</summary>
    private async Task StripStoredKubeconfigAsync(ClusterSpec spec)
    {
        state.State.Keep(spec);
        try
        {
            await state.WriteOverStaleAsync();
        }
        catch (Exception ex)
        {
            // The state in memory is stripped already: the grain's next write removes it from the store.
            LogStripFailed(ClusterKey, ex.Message);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _tick?.Dispose();
        _healthChange?.Dispose();
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
            // An activation that awaited the kubeconfig (not in this silo's cache) takes it from here.
            _spec ??= spec;
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

        // The stored spec has no kubeconfig: a changed inline one shows in its digest.
        var reconnect = current is null || state.State.InlineKubeconfigDigest != ClusterGrainState.Digest(spec.Kubeconfig)
            || current.KubeconfigSecretRef != spec.KubeconfigSecretRef || current.GatewayHost != spec.GatewayHost || current.GatewayPort != spec.GatewayPort;
        _spec = spec;
        state.State.Keep(spec);
        state.State.Tombstone = null;
        await state.WriteOverStaleAsync();
        if (reconnect || _session is null)
        {
            await StopSessionAsync();
            clients.Invalidate(ClusterKey);
            StartSession();
        }

        LogUpserted(ClusterKey, spec.ResourceVersion);
        await RegisterAsync(force: true);
        await WriteStatusAsync();
        await WarnInlineKubeconfigAsync(spec);
    }

    public async Task Remove(string lastResourceVersion)
    {
        if (state.State.Spec is not { } spec)
        {
            state.State.Tombstone = MaxVersion(state.State.Tombstone, lastResourceVersion);
            await state.WriteOverStaleAsync();
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
            await grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(ClusterKey, ns, name)).MemberLeft();
        }

        await grains.GetGrain<IImportWriterGrain>(ClusterKey).Retire();
        await RemoveIngressesAsync();
        await ReleaseClaimAsync(spec);
        clients.Invalidate(ClusterKey);

        _spec = null;
        state.State.Forget();
        state.State.KnownExports.Clear();
        state.State.Tombstone = MaxVersion(spec.ResourceVersion, lastResourceVersion);
        await state.WriteOverStaleAsync();
        DeactivateOnIdle();
    }

    public async Task ReportSession(SessionReport report)
    {
        if (state.State.Spec is null || report.SessionId != _session?.SessionId)
        {
            return;
        }

        var becameSynced = report.Synced && report.Connected && !(_report.Synced && _report.Connected);
        report = report with { Message = Redact(report.Message) };
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
        report = report with { Message = Redact(report.Message) };
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
        await state.WriteOverStaleAsync();
    }

    /// <summary>
    /// Judged at once (event-driven); a flip is applied by a one-shot timer, which runs in turn with this grain's
    /// other work (this call interleaves, and the flip persists state and writes status).
    /// </summary>
    public Task ReportProbe(ProbeReport report)
    {
        if (state.State.Spec is not null && Options.Health.Enabled && _health.Record(report))
        {
            ScheduleHealthChange();
        }

        return Task.CompletedTask;
    }

    public Task<bool?> HasExport(string serviceKey) =>
        Task.FromResult(_session is { } session && _report.Connected && _report.Synced ? session.HasExport(serviceKey) : null);

    public Task<ImmutableArray<ServiceProbeTarget>> GetServiceProbes() =>
        Task.FromResult(_session?.ServiceProbeTargets() ?? []);

    public Task<ClusterState> GetState() => Task.FromResult(new ClusterState(
        ClusterKey,
        silo.Name,
        _report.Connected && _report.Synced,
        _report.Reason,
        _report.Message,
        _health.Healthy,
        _health.Reason,
        [.. state.State.KnownExports.Order(StringComparer.Ordinal)]));

    private void StartSession()
    {
        if (_spec is not { } spec)
        {
            return;
        }

        _session = new MemberSession(spec, state.State.KnownExports, new GrainMemberSink(grains, ClusterKey), credentials, controlPlane, Options, time, loggers.CreateLogger<MemberSession>());
    }

    /// <summary>
    /// Stops the session's feeding (awaited: no observation may land after this) but not its reporting, which may
    /// be waiting on a call into this grain; its late reports are ignored by session id.
    /// </summary>
    private async Task StopSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.StopFeedingAsync();
            _lastSessionExports = session.KnownExports;
            _ = session.DisposeAsync().AsTask();
        }
    }

    private void ScheduleHealthChange()
    {
        _healthChange ??= this.RegisterGrainTimer(async _ =>
        {
            _healthChange?.Dispose();
            _healthChange = null;
            await ApplyHealthAsync();
        }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    /// <summary>Publishes the verdict if it differs from the last one published (it may have flipped back meanwhile).</summary>
    private async Task ApplyHealthAsync()
    {
        if (state.State.Spec is null || _health.Healthy == _publishedHealthy)
        {
            return;
        }

        _publishedHealthy = _health.Healthy;
        await HealthChangedAsync();
    }

    /// <summary>Expires the reports of silos gone silent (a flip is applied), resyncs the registration, retries status.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is null)
        {
            return;
        }

        _health.Judge();
        await ApplyHealthAsync();

        if (time.GetUtcNow() - _registeredAt > Options.ResyncInterval)
        {
            await RegisterAsync(force: true);
            if (affinity.ShouldMoveHome(ClusterKey))
            {
                // Placed before a silo of the member's region was up: move next to the member.
                LogMovingHome(ClusterKey);
                MigrateOnIdle();
            }
        }
        else if (_statusFailures.Failing)
        {
            // A status write failed: the next round tries again (a Cluster condition is worth no tighter loop).
            await WriteStatusAsync();
        }
    }

    /// <summary>
    /// Health travels on its own path: the channel tells every writer (routing status only), the directory keeps it
    /// for writers that activate later. Exports are not re-observed: their health is their own.
    /// </summary>
    private async Task HealthChangedAsync()
    {
        var healthy = _health.Healthy;
        ErieCanalTelemetry.HealthTransitions.Add(1, new KeyValuePair<string, object?>("healthy", healthy));
        LogHealthChanged(ClusterKey, healthy, _health.Reason, _health.Message);
        state.State.HealthSequence++;
        state.State.UnhealthyReason = _publishedHealthy ? null : _health.Reason;
        await state.WriteOverStaleAsync();
        await PublishHealthAsync();
        await RegisterAsync(force: true);
        await WriteStatusAsync();
        await RecordEventAsync(!healthy, healthy ? "ClusterRecovered" : "ClusterUnhealthy", _health.Message);
    }

    private async Task PublishHealthAsync()
    {
        try
        {
            var channels = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(ChannelNames.Provider);
            var channel = channels.GetChannelWriter<MemberHealth>(ChannelId.Create(ChannelNames.Health, ChannelNames.HealthKey));
            await channel.Publish(new MemberHealth(ClusterKey, _publishedHealthy, state.State.HealthSequence, _health.Reason, _health.Since));
        }
        catch (Exception ex)
        {
            // Writers also read health from the directory on activation and repair.
            LogPublishFailed(ClusterKey, ex.Message);
        }
    }

    private async Task RegisterAsync(bool force)
    {
        if (state.State.Spec is not { } spec || (!force && time.GetUtcNow() - _registeredAt < Options.ResyncInterval))
        {
            return;
        }

        var gateway = spec.GatewayHost is { } host ? new GatewayAddress(host, host, spec.GatewayPort) : null;
        await Directory.Register(new ClusterInfo(ClusterKey, spec.Name, _report.Connected && _report.Synced, _publishedHealthy, _report.Synced, gateway, state.State.HealthSequence));
        _registeredAt = time.GetUtcNow();
    }

    /// <summary>Managed, Healthy and CrdsCompatible on the Cluster object, through its one condition writer.</summary>
    private async Task WriteStatusAsync()
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }

        if (_status is null || _statusFor != spec.Name)
        {
            _status = new ConditionWriter(ClusterResource.Plural, null, spec.Name, time);
            _statusFor = spec.Name;
        }

        var updates = new List<ConditionUpdate>
        {
            new(ConditionTypes.Managed, _report.Connected && _report.Synced, _report.Reason, _report.Message, spec.Generation),
            new(ConditionTypes.Healthy, _health.Healthy, _health.Reason, _health.Message, spec.Generation),
        };
        if (_crds is { } crds)
        {
            updates.Add(new(ConditionTypes.CrdsCompatible, crds.Compatible, crds.Reason, crds.Message, spec.Generation));
        }

        if (CredentialsCondition(spec, state.State.InlineKubeconfigDigest is not null) is { } credentialsSecure)
        {
            updates.Add(credentialsSecure);
        }

        try
        {
            await _status.WriteAsync(controlPlane.Client, updates, new Dictionary<string, JsonNode?>
            {
                ["observedGeneration"] = spec.Generation,
                ["clusterKey"] = ClusterKey,
            }, CancellationToken.None);
            if (_statusFailures.Succeed())
            {
                LogStatusWriteRecovered(ClusterKey);
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The Cluster object is being deleted; its removal follows.
        }
        catch (Exception ex)
        {
            if (_statusFailures.Fail(ex.GetType().FullName ?? ""))
            {
                LogStatusWriteFailed(ClusterKey, ex.Message);
            }
        }
    }

    /// <summary>
    /// CredentialsSecure: False while the kubeconfig is inline (anyone who can read Cluster objects reads the
    /// member's credentials); True with a Secret reference. None when the spec names neither or both: Managed says why.
    /// <paramref name="inline"/> comes from the stored digest, so it holds while the kubeconfig itself is awaited.
    /// </summary>
    private static ConditionUpdate? CredentialsCondition(ClusterSpec spec, bool inline)
    {
        return (inline, spec.KubeconfigSecretRef) switch
        {
            (true, null) => new(ConditionTypes.CredentialsSecure, false, ConditionReasons.InlineKubeconfig, InlineKubeconfigMessage, spec.Generation),
            (false, { } secretRef) => new(ConditionTypes.CredentialsSecure, true, ConditionReasons.KubeconfigSecretRef,
                $"the kubeconfig is read from Secret {secretRef.Namespace}/{secretRef.Name} (key {secretRef.Key})", spec.Generation),
            _ => null,
        };
    }

    private const string InlineKubeconfigMessage =
        "spec.kubeconfig holds the member's credentials inline, readable by anyone who can read Cluster objects; put the kubeconfig in a Secret and name it in spec.kubeconfigSecretRef instead";

    /// <summary>One Warning Event per Cluster object while its kubeconfig is inline (again if it goes back to inline).</summary>
    private async Task WarnInlineKubeconfigAsync(ClusterSpec spec)
    {
        var inline = !string.IsNullOrWhiteSpace(spec.Kubeconfig) && spec.KubeconfigSecretRef is null;
        if (!inline)
        {
            if (state.State.InlineKubeconfigWarned is not null)
            {
                state.State.InlineKubeconfigWarned = null;
                await state.WriteOverStaleAsync();
            }

            return;
        }

        if (state.State.InlineKubeconfigWarned == spec.Uid)
        {
            return;
        }

        await RecordEventAsync(true, ConditionReasons.InlineKubeconfig, InlineKubeconfigMessage);
        state.State.InlineKubeconfigWarned = spec.Uid;
        await state.WriteOverStaleAsync();
    }

    /// <summary>A message with the member's credentials (inline, or from its Secret) masked.</summary>
    private string Redact(string message) =>
        CredentialRedaction.Redact(CredentialRedaction.Redact(message, _spec?.Kubeconfig), credentials.Find(ClusterKey)?.Kubeconfig);

    private async Task RecordEventAsync(bool warning, string reason, string message)
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }

        try
        {
            await KubeEvents.RecordAsync(controlPlane.Client, "Cluster", null, spec.Name, spec.Uid, warning, reason, Redact(message), CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogEventFailed(ex, ClusterKey);
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
            LogReleaseFailed(ClusterKey, Redact(ex.Message));
        }
    }

    private async Task ReleaseClaimAsync(ClusterSpec spec)
    {
        try
        {
            var client = await clients.GetAsync(ClusterKey);
            await MemberClaim.ReleaseAsync(client, await controlPlane.GetIdentityAsync(CancellationToken.None), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An unreachable member keeps its claim; deleting the ConfigMap by hand frees it.
            LogReleaseFailed(spec.Name, Redact(ex.Message));
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

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Could not write the status of Cluster {ClusterKey} ({Message}); retrying each probe round, logged again when it succeeds")]
    private partial void LogStatusWriteFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Information, Message = "The status of Cluster {ClusterKey} is written again")]
    private partial void LogStatusWriteRecovered(string clusterKey);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "Could not publish the health of member {ClusterKey}: {Message}")]
    private partial void LogPublishFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Could not record an event for Cluster {ClusterKey}")]
    private partial void LogEventFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Member grain {ClusterKey} moves to a silo of its region")]
    private partial void LogMovingHome(string clusterKey);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Could not release member {Name} cleanly: {Message}")]
    private partial void LogReleaseFailed(string name, string message);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Could not rewrite the state of member {ClusterKey} without its inline kubeconfig ({Message}); its next write does")]
    private partial void LogStripFailed(string clusterKey, string message);
}
