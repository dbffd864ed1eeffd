using System.Collections.Immutable;
using System.Globalization;
using ErieCanal.Orleans.Grains.Health;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Members;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>What an Upsert of the Cluster object means to its member.</summary>
public enum UpsertVerdict
{
    /// <summary>Older than the member's spec or its tombstone: ignored.</summary>
    Stale,

    /// <summary>The spec already held (a resync): at most the session starts, if it awaited the kubeconfig.</summary>
    Same,

    /// <summary>A newer spec whose connection is the same: kept, the session runs on.</summary>
    Newer,

    /// <summary>A newer spec that changes the connection (kubeconfig, its Secret, the gateway): the session restarts.</summary>
    Reconnect,
}

/// <summary>
/// Decides a member's lifecycle from what its ClusterGrain hears — Upserts and Removes ordered by resourceVersion
/// and tombstone, session and CRD reports, health flips — and emits typed work (the Cluster's conditions, its
/// Events, the member's teardown) to an <see cref="IMemberWorkSink"/>. Pure and single-threaded: no I/O, no clock
/// (health comes judged by <see cref="MemberHealthJudge"/>), so every rule is unit-tested with a recording sink.
/// </summary>
public sealed class MemberLifecycle(string clusterKey, MemberHealthJudge health, IMemberWorkSink sink)
{
    public const string InlineKubeconfigMessage =
        "spec.kubeconfig holds the member's credentials inline, readable by anyone who can read Cluster objects; put the kubeconfig in a Secret and name it in spec.kubeconfigSecretRef instead";

    private CrdReport? _crds;

    /// <summary>The member session's last report (its message already masked of credentials by the session).</summary>
    public SessionReport Report { get; private set; } = new("", false, false, ConditionReasons.Connecting, "waiting for the member session");

    /// <summary>Connected with every watch synced.</summary>
    public bool Managed => Report.Connected && Report.Synced;

    /// <summary>The health verdict last published (on the channel and to the directory).</summary>
    public bool PublishedHealthy { get; private set; } = true;

    /// <summary>
    /// A new activation resumes from the stored verdict: a member that was unhealthy is not declared healthy by an
    /// activation that has heard no probe yet (and one that recovered meanwhile is published as it recovers).
    /// </summary>
    public void Resume(ClusterGrainState state)
    {
        PublishedHealthy = state.UnhealthyReason is null;
        health.Resume(state.UnhealthyReason);
    }

    /// <summary>
    /// The verdict to publish when it differs from the last one published (it may have flipped back meanwhile), with
    /// the next health sequence recorded in <paramref name="state"/> (to be written before it is published); the
    /// Healthy condition and an Event go with it. Null when there is nothing to publish.
    /// </summary>
    public MemberHealth? HealthToPublish(ClusterGrainState state)
    {
        if (state.Spec is null || health.Healthy == PublishedHealthy)
        {
            return null;
        }

        PublishedHealthy = health.Healthy;
        state.HealthSequence++;
        state.UnhealthyReason = PublishedHealthy ? null : health.Reason;
        Status(state);
        Event(state, !health.Healthy, health.Healthy ? "ClusterRecovered" : "ClusterUnhealthy", health.Message);
        return new MemberHealth(clusterKey, PublishedHealthy, state.HealthSequence, health.Reason, health.Since);
    }

    /// <summary>The member as the directory should hold it, or null when it is none.</summary>
    public ClusterInfo? Registration(ClusterGrainState state) =>
        state.Spec is not { } spec ? null : new ClusterInfo(clusterKey, spec.Name, Managed, PublishedHealthy, Report.Synced,
            spec.GatewayHost is { } host ? new GatewayAddress(host, host, spec.GatewayPort) : null, state.HealthSequence);

    /// <summary>resourceVersions compare as numbers (as the API server issues them), else ordinally.</summary>
    public static int CompareVersions(string a, string b) =>
        long.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) && long.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    public static string MaxVersion(string? a, string b) => a is null || CompareVersions(b, a) > 0 ? b : a;

    /// <summary>Orders <paramref name="spec"/> against the stored spec and the tombstone; the stored spec has no kubeconfig, only its digest.</summary>
    public static UpsertVerdict Judge(ClusterGrainState state, ClusterSpec spec)
    {
        if (state.Tombstone is { } tombstone && CompareVersions(spec.ResourceVersion, tombstone) <= 0)
        {
            return UpsertVerdict.Stale;
        }

        if (state.Spec is not { } current)
        {
            return UpsertVerdict.Reconnect;
        }

        var order = CompareVersions(spec.ResourceVersion, current.ResourceVersion);
        if (current.ResourceVersion == spec.ResourceVersion || order == 0)
        {
            return UpsertVerdict.Same;
        }

        if (order < 0)
        {
            return UpsertVerdict.Stale;
        }

        var reconnect = state.InlineKubeconfigDigest != ClusterGrainState.Digest(spec.Kubeconfig)
            || current.KubeconfigSecretRef != spec.KubeconfigSecretRef || current.GatewayHost != spec.GatewayHost || current.GatewayPort != spec.GatewayPort;
        return reconnect ? UpsertVerdict.Reconnect : UpsertVerdict.Newer;
    }

    /// <summary>The Cluster object was deleted at <paramref name="lastResourceVersion"/>: the tombstone later upserts must pass.</summary>
    public static string Tombstone(ClusterGrainState state, string lastResourceVersion) =>
        MaxVersion(state.Spec?.ResourceVersion is { } current ? MaxVersion(state.Tombstone, current) : state.Tombstone, lastResourceVersion);

    /// <summary>
    /// A spec was taken: the status as it now stands, and one Warning Event per Cluster object while its kubeconfig is
    /// inline (again if it goes back to inline). True when <paramref name="state"/> changed and must be written.
    /// </summary>
    public bool Upserted(ClusterGrainState state, ClusterSpec spec)
    {
        Status(state);
        var inline = !string.IsNullOrWhiteSpace(spec.Kubeconfig) && spec.KubeconfigSecretRef is null;
        if (!inline)
        {
            var wasWarned = state.InlineKubeconfigWarned is not null;
            state.InlineKubeconfigWarned = null;
            return wasWarned;
        }

        if (state.InlineKubeconfigWarned == spec.Uid)
        {
            return false;
        }

        Event(state, true, ConditionReasons.InlineKubeconfig, InlineKubeconfigMessage);
        state.InlineKubeconfigWarned = spec.Uid;
        return true;
    }

    /// <summary>A report of the member's current session. True when the member just became managed (its writer should repair).</summary>
    public bool SessionReported(ClusterGrainState state, SessionReport report)
    {
        var becameManaged = report.Synced && report.Connected && !Managed;
        Report = report;
        Status(state);
        if (becameManaged)
        {
            Event(state, false, "Managed", "connected to the member; its watches are synced");
        }
        else if (!report.Connected && report.Reason != ConditionReasons.Connecting)
        {
            Event(state, true, report.Reason, report.Message);
        }

        return becameManaged;
    }

    /// <summary>The compatibility of the member's CRDs: a condition, an Event for an upgrade, a Warning when it becomes (or stays, differently) incompatible.</summary>
    public void CrdsReported(ClusterGrainState state, CrdReport report)
    {
        var previous = _crds;
        _crds = report;
        Status(state);
        if (report.Upgraded.Length > 0)
        {
            Event(state, false, ConditionReasons.CrdsUpgraded, report.Message);
        }

        if (!report.Compatible && (previous is null || previous.Compatible || previous.Message != report.Message))
        {
            Event(state, true, report.Reason, report.Message);
        }
    }

    /// <summary>
    /// The member leaves (unregistered from the directory already): its teardown goes to the engine with every export
    /// the member is known to have fed (the stored record, which the stopped session's last record was folded into).
    /// </summary>
    public void Leave(ClusterSpec spec, IEnumerable<string> knownExports)
    {
        Report = Report with { Connected = false, Synced = false };
        sink.Submit(new TearDownMember(clusterKey, spec.Name, [.. knownExports.Order(StringComparer.Ordinal)]));
    }

    /// <summary>Managed, Healthy, CrdsCompatible and CredentialsSecure as they stand now.</summary>
    public void Status(ClusterGrainState state)
    {
        if (state.Spec is not { } spec)
        {
            return;
        }

        var updates = ImmutableArray.CreateBuilder<ConditionUpdate>();
        updates.Add(new(ConditionTypes.Managed, Managed, Report.Reason, Report.Message, spec.Generation));
        updates.Add(new(ConditionTypes.Healthy, health.Healthy, health.Reason, health.Message, spec.Generation));
        if (_crds is { } crds)
        {
            updates.Add(new(ConditionTypes.CrdsCompatible, crds.Compatible, crds.Reason, crds.Message, spec.Generation));
        }

        if (CredentialsCondition(spec, state.InlineKubeconfigDigest is not null) is { } credentialsSecure)
        {
            updates.Add(credentialsSecure);
        }

        sink.Submit(new WriteClusterStatus(clusterKey, spec.Name, spec.Generation, updates.ToImmutable()));
    }

    /// <summary>
    /// CredentialsSecure: False while the kubeconfig is inline (anyone who can read Cluster objects reads the
    /// member's credentials); True with a Secret reference. None when the spec names neither or both: Managed says why.
    /// <paramref name="inline"/> comes from the stored digest, so it holds while the kubeconfig itself is awaited.
    /// </summary>
    public static ConditionUpdate? CredentialsCondition(ClusterSpec spec, bool inline) =>
        (inline, spec.KubeconfigSecretRef) switch
        {
            (true, null) => new(ConditionTypes.CredentialsSecure, false, ConditionReasons.InlineKubeconfig, InlineKubeconfigMessage, spec.Generation),
            (false, { } secretRef) => new(ConditionTypes.CredentialsSecure, true, ConditionReasons.KubeconfigSecretRef,
                $"the kubeconfig is read from Secret {secretRef.Namespace}/{secretRef.Name} (key {secretRef.Key})", spec.Generation),
            _ => null,
        };

    private void Event(ClusterGrainState state, bool warning, string reason, string message)
    {
        if (state.Spec is { } spec)
        {
            sink.Submit(new RecordClusterEvent(clusterKey, spec.Name, spec.Uid, warning, reason, message));
        }
    }
}
