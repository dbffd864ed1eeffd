using ErieCanal.Orleans.Grains.Health;
using ErieCanal.Orleans.Grains.Members;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Members;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Members;

/// <summary>
/// A member's lifecycle as its grain decides it, with no sandbox: upserts ordered by resourceVersion and tombstone,
/// what each report means for the Cluster's conditions and Events, the credentials condition and the inline
/// kubeconfig warning, and the teardown handed to the engine. The work is recorded, not done.
/// </summary>
public sealed class MemberLifecycleTests
{
    private const string Key = "default/default/default/cluster-1";
    private const string Kubeconfig = "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: sandbox-token-0123456789\n";

    private static readonly ClusterSpec Inline = new("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 8091, Kubeconfig, null, 3, "41");

    private static readonly ClusterSpec BySecret = Inline with { Kubeconfig = null, KubeconfigSecretRef = new SecretRef("default", "cluster-1-kubeconfig", "kubeconfig"), ResourceVersion = "42" };

    private readonly ManualClock _clock = new();
    private readonly RecordingMemberSink _sink = new();
    private readonly MemberHealthJudge _health;
    private readonly MemberLifecycle _lifecycle;
    private readonly ClusterGrainState _state = new();

    public MemberLifecycleTests()
    {
        _health = new MemberHealthJudge(_clock, TimeSpan.FromSeconds(10), 1, 1);
        _lifecycle = new MemberLifecycle(Key, _health, _sink);
    }

    [Theory]
    [InlineData("9", "10", UpsertVerdict.Newer)]
    [InlineData("10", "9", UpsertVerdict.Stale)]
    [InlineData("41", "41", UpsertVerdict.Same)]
    [InlineData("b", "c", UpsertVerdict.Newer)]
    public void Upserts_are_ordered_by_resourceVersion_numerically_where_they_are_numbers(string stored, string offered, UpsertVerdict expected)
    {
        _state.Keep(Inline with { ResourceVersion = stored });
        Assert.Equal(expected, MemberLifecycle.Judge(_state, Inline with { ResourceVersion = offered }));
    }

    [Fact]
    public void A_tombstone_refuses_every_upsert_not_newer_than_the_deletion()
    {
        _state.Tombstone = MemberLifecycle.Tombstone(_state, "50");
        Assert.Equal(UpsertVerdict.Stale, MemberLifecycle.Judge(_state, Inline with { ResourceVersion = "49" }));
        Assert.Equal(UpsertVerdict.Stale, MemberLifecycle.Judge(_state, Inline with { ResourceVersion = "50" }));
        Assert.Equal(UpsertVerdict.Reconnect, MemberLifecycle.Judge(_state, Inline with { ResourceVersion = "51" }));
    }

    [Fact]
    public void The_tombstone_is_the_newest_version_seen_of_the_member()
    {
        _state.Keep(Inline with { ResourceVersion = "60" });
        Assert.Equal("60", MemberLifecycle.Tombstone(_state, "55"));
        Assert.Equal("70", MemberLifecycle.Tombstone(_state, "70"));
        Assert.Equal("10", MemberLifecycle.MaxVersion("9", "10"));
        Assert.Equal("7", MemberLifecycle.MaxVersion(null, "7"));
    }

    [Fact]
    public void A_newer_spec_reconnects_only_when_its_connection_changes()
    {
        _state.Keep(Inline);
        var newer = Inline with { ResourceVersion = "50" };
        Assert.Equal(UpsertVerdict.Newer, MemberLifecycle.Judge(_state, newer with { Generation = 4 }));
        Assert.Equal(UpsertVerdict.Reconnect, MemberLifecycle.Judge(_state, newer with { Kubeconfig = Kubeconfig + "# rotated\n" }));
        Assert.Equal(UpsertVerdict.Reconnect, MemberLifecycle.Judge(_state, newer with { Kubeconfig = null, KubeconfigSecretRef = BySecret.KubeconfigSecretRef }));
        Assert.Equal(UpsertVerdict.Reconnect, MemberLifecycle.Judge(_state, newer with { GatewayHost = "10.0.0.1" }));
        Assert.Equal(UpsertVerdict.Reconnect, MemberLifecycle.Judge(_state, newer with { GatewayPort = 8092 }));
    }

    [Fact]
    public void An_inline_kubeconfig_is_warned_about_once_per_Cluster_object_and_reported_insecure()
    {
        _state.Keep(Inline);
        Assert.True(_lifecycle.Upserted(_state, Inline));
        var warning = Assert.Single(_sink.Of<RecordClusterEvent>());
        Assert.Equal((true, ConditionReasons.InlineKubeconfig), (warning.Warning, warning.Reason));
        var credentials = Condition(ConditionTypes.CredentialsSecure);
        Assert.Equal((false, ConditionReasons.InlineKubeconfig), (credentials.Status, credentials.Reason));
        Assert.Contains("kubeconfigSecretRef", credentials.Message, StringComparison.Ordinal);

        // A resync or another edit of the same object: no second warning.
        _sink.Clear();
        Assert.False(_lifecycle.Upserted(_state, Inline with { ResourceVersion = "45" }));
        Assert.Empty(_sink.Of<RecordClusterEvent>());

        // A recreated object (another uid) is warned about again.
        var recreated = Inline with { Uid = "uid-2", ResourceVersion = "46" };
        _state.Keep(recreated);
        Assert.True(_lifecycle.Upserted(_state, recreated));
        Assert.Single(_sink.Of<RecordClusterEvent>());
    }

    [Fact]
    public void A_Secret_reference_is_secure_and_forgets_the_warning_so_going_back_to_inline_warns_again()
    {
        _state.Keep(Inline);
        _lifecycle.Upserted(_state, Inline);
        _state.Keep(BySecret);
        _sink.Clear();
        Assert.True(_lifecycle.Upserted(_state, BySecret));
        Assert.Null(_state.InlineKubeconfigWarned);
        Assert.Empty(_sink.Of<RecordClusterEvent>());
        var credentials = Condition(ConditionTypes.CredentialsSecure);
        Assert.Equal((true, ConditionReasons.KubeconfigSecretRef), (credentials.Status, credentials.Reason));
        Assert.Contains("default/cluster-1-kubeconfig", credentials.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_credentials_condition_holds_while_the_inline_kubeconfig_itself_is_awaited()
    {
        // Reactivated on a silo without the kubeconfig cached: only its digest is stored.
        _state.Keep(Inline);
        _state.Spec = _state.Spec! with { Kubeconfig = null };
        _lifecycle.Status(_state);
        Assert.False(Condition(ConditionTypes.CredentialsSecure).Status);
        Assert.Null(MemberLifecycle.CredentialsCondition(Inline with { Kubeconfig = null }, inline: false));
    }

    [Fact]
    public void A_session_that_becomes_synced_makes_the_member_managed_with_one_Normal_Event()
    {
        _state.Keep(Inline);
        Assert.False(_lifecycle.SessionReported(_state, new SessionReport("s1", false, false, ConditionReasons.Connecting, "connecting")));
        Assert.Empty(_sink.Of<RecordClusterEvent>());
        Assert.False(Condition(ConditionTypes.Managed).Status);

        Assert.True(_lifecycle.SessionReported(_state, new SessionReport("s1", true, true, ConditionReasons.Connected, "synced")));
        Assert.True(_lifecycle.Managed);
        Assert.True(Condition(ConditionTypes.Managed).Status);
        var managed = Assert.Single(_sink.Of<RecordClusterEvent>());
        Assert.Equal((false, "Managed"), (managed.Warning, managed.Reason));

        _sink.Clear();
        Assert.False(_lifecycle.SessionReported(_state, new SessionReport("s1", true, true, ConditionReasons.Connected, "synced")));
        Assert.Empty(_sink.Of<RecordClusterEvent>());
    }

    [Fact]
    public void Every_failed_connection_is_a_Warning_Event_with_its_reason()
    {
        _state.Keep(Inline);
        _lifecycle.SessionReported(_state, new SessionReport("s1", false, false, ConditionReasons.Unreachable, "cannot connect"));
        _lifecycle.SessionReported(_state, new SessionReport("s1", false, false, ConditionReasons.Unreachable, "cannot connect"));
        Assert.Equal(2, _sink.Of<RecordClusterEvent>().Count(e => e.Warning && e.Reason == ConditionReasons.Unreachable));
        var managed = Condition(ConditionTypes.Managed);
        Assert.Equal((false, ConditionReasons.Unreachable), (managed.Status, managed.Reason));
    }

    [Fact]
    public void Incompatible_CRDs_are_a_condition_and_a_Warning_once_per_distinct_problem_and_an_upgrade_a_Normal_Event()
    {
        _state.Keep(Inline);
        var incompatible = new CrdReport(false, ConditionReasons.IncompatibleCrd, "serviceimports lacks status.routing", []);
        _lifecycle.CrdsReported(_state, incompatible);
        _lifecycle.CrdsReported(_state, incompatible);
        Assert.Single(_sink.Of<RecordClusterEvent>());
        Assert.False(Condition(ConditionTypes.CrdsCompatible).Status);

        _lifecycle.CrdsReported(_state, incompatible with { Message = "serviceexports lacks spec.rules" });
        Assert.Equal(2, _sink.Of<RecordClusterEvent>().Count(e => e.Warning));

        _lifecycle.CrdsReported(_state, new CrdReport(true, ConditionReasons.CrdsUpgraded, "upgraded serviceimports", ["serviceimports.flomesh.io"]));
        Assert.Equal((false, ConditionReasons.CrdsUpgraded), (_sink.Of<RecordClusterEvent>().Last().Warning, _sink.Of<RecordClusterEvent>().Last().Reason));
        Assert.True(Condition(ConditionTypes.CrdsCompatible).Status);
    }

    [Fact]
    public void A_health_flip_is_published_once_with_the_next_sequence_the_Healthy_condition_and_an_Event()
    {
        _state.Keep(Inline);
        Assert.Null(_lifecycle.HealthToPublish(_state));
        var now = _clock.GetUtcNow();
        Assert.True(_health.Record(new ProbeReport("silo-a", now, false, 1, now, ConditionReasons.GatewayUnreachable, "connection refused")));

        var verdict = _lifecycle.HealthToPublish(_state);
        Assert.Equal(new MemberHealth(Key, false, 1, ConditionReasons.GatewayUnreachable, now), verdict);
        Assert.Equal(ConditionReasons.GatewayUnreachable, _state.UnhealthyReason);
        var healthy = Condition(ConditionTypes.Healthy);
        Assert.Equal((false, ConditionReasons.GatewayUnreachable), (healthy.Status, healthy.Reason));
        var unhealthy = Assert.Single(_sink.Of<RecordClusterEvent>());
        Assert.Equal((true, "ClusterUnhealthy"), (unhealthy.Warning, unhealthy.Reason));

        // Published already: nothing more until it flips again.
        Assert.Null(_lifecycle.HealthToPublish(_state));
        Assert.False(_lifecycle.Registration(_state)!.Healthy);
    }

    [Fact]
    public void A_new_activation_resumes_from_the_stored_verdict()
    {
        _state.Keep(Inline);
        _state.UnhealthyReason = ConditionReasons.ApiServerUnreachable;
        _lifecycle.Resume(_state);
        Assert.False(_lifecycle.PublishedHealthy);
        Assert.False(_health.Healthy);
        Assert.Null(_lifecycle.HealthToPublish(_state));
    }

    [Fact]
    public void The_directory_registration_is_the_member_as_decided_and_none_without_a_spec()
    {
        Assert.Null(_lifecycle.Registration(_state));
        _state.Keep(Inline);
        _lifecycle.SessionReported(_state, new SessionReport("s1", true, true, ConditionReasons.Connected, "synced"));
        Assert.Equal(new ClusterInfo(Key, "cluster-1", true, true, true, new GatewayAddress("127.0.0.1", "127.0.0.1", 8091), 0), _lifecycle.Registration(_state));
    }

    [Fact]
    public void A_member_that_left_is_handed_to_the_engine_with_every_known_export_and_writes_no_status()
    {
        _state.Keep(Inline);
        _lifecycle.SessionReported(_state, new SessionReport("s1", true, true, ConditionReasons.Connected, "synced"));
        _lifecycle.Leave(Inline, ["ns/b", "ns/a"]);
        var teardown = Assert.Single(_sink.Of<TearDownMember>());
        Assert.Equal((Key, "cluster-1"), (teardown.ClusterKey, teardown.Name));
        Assert.Equal(["ns/a", "ns/b"], teardown.Exports.AsEnumerable());
        Assert.False(_lifecycle.Managed);

        _state.Forget();
        _sink.Clear();
        _lifecycle.Status(_state);
        _lifecycle.SessionReported(_state, new SessionReport("s1", false, false, ConditionReasons.Unreachable, "late"));
        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void The_status_carries_the_Cluster_name_and_generation()
    {
        _state.Keep(Inline);
        _lifecycle.Status(_state);
        var status = _sink.Of<WriteClusterStatus>().Last();
        Assert.Equal((Key, "cluster-1", 3L), (status.ClusterKey, status.Name, status.Generation));
        Assert.All(status.Conditions, c => Assert.Equal(3L, c.ObservedGeneration));
        Assert.Equal([ConditionTypes.Managed, ConditionTypes.Healthy, ConditionTypes.CredentialsSecure], status.Conditions.Select(c => c.Type));
    }

    private Watchers.Crds.ConditionUpdate Condition(string type) => _sink.Of<WriteClusterStatus>().Last().Conditions.Single(c => c.Type == type);

    /// <summary>Records the decisions a ClusterGrain hands its engine.</summary>
    private sealed class RecordingMemberSink : IMemberWorkSink
    {
        public List<MemberWork> Work { get; } = [];

        public void Submit(MemberWork work) => Work.Add(work);

        public IReadOnlyList<T> Of<T>()
            where T : MemberWork => [.. Work.OfType<T>()];

        public void Clear() => Work.Clear();
    }
}
