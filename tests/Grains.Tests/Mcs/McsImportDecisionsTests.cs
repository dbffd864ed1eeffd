using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Mcs.McsFixtures;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>What one member must hold for an MCS import (plan §4.2): ServiceImport, derived Service, slices.</summary>
public sealed class McsImportDecisionsTests
{
    private readonly RecordingMcsImportSink _sink = new();
    private readonly McsImportDecisions _decisions;

    public McsImportDecisionsTests() => _decisions = new McsImportDecisions(_sink);

    private static McsMergedImport Merged(long version, params McsContribution[] exports) =>
        McsImportMerger.Merge(Ns, Svc, version, exports).Import!;

    [Fact]
    public void A_cluster_set_ip_import_is_applied_with_its_derived_service_and_each_source_slices()
    {
        var export = Export(1, 0) with { Labels = Map(("dummy-label", "true")), Annotations = Map(("dummy-annotation", "true")) };
        _decisions.Accept(Ns, Svc, 1, Merged(1, export, Export(2, 2)));

        Assert.Collection(
            _sink.Work,
            w => Assert.IsType<ApplyMcsImport>(w),
            w => Assert.IsType<ApplyMcsDerivedService>(w),
            w => Assert.Equal("cluster-1", Assert.IsType<SyncMcsSlices>(w).SourceCluster),
            w => Assert.Equal("cluster-2", Assert.IsType<SyncMcsSlices>(w).SourceCluster));

        var document = _sink.Of<ApplyMcsImport>().Single().Document;
        Assert.Equal(McsNames.ImportTypes.ClusterSetIp, document.Type);
        Assert.Equal([Tcp42, Udp42], document.Ports.ToArray());
        Assert.Equal(("ClientIP", 10, "Cluster"), (document.SessionAffinity, document.ClientIpTimeoutSeconds, document.InternalTrafficPolicy));
        Assert.Equal(["IPv4"], document.IpFamilies.ToArray());
        Assert.Equal(["cluster-1", "cluster-2"], document.Clusters.ToArray());
        Assert.Equal("true", document.Labels.ToDictionary()["dummy-label"]);
        Assert.Equal("true", document.Annotations.ToDictionary()["dummy-annotation"]);
        Assert.Equal(McsNames.DerivedName(Ns, Svc), document.Annotations.ToDictionary()[McsNames.DerivedServiceAnnotation]);

        var derived = _sink.Of<ApplyMcsDerivedService>().Single().Service;
        Assert.Equal(McsNames.DerivedName(Ns, Svc), derived.Name);
        Assert.Equal(Svc, derived.ImportName);
        Assert.Equal([Tcp42, Udp42], derived.Ports.ToArray());
        Assert.Equal(Svc, derived.Labels.ToDictionary()[McsNames.DerivedForLabel]);
    }

    [Fact]
    public void Slices_carry_the_mcs_labels_and_never_the_kubernetes_service_name()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0)));

        var slice = _sink.Of<SyncMcsSlices>().Single().Slices.Single();
        var labels = slice.Labels.ToDictionary();
        Assert.Equal(Svc, labels[McsNames.ServiceNameLabel]);
        Assert.Equal("cluster-1", labels[McsNames.SourceClusterLabel]);
        Assert.Equal(McsNames.ManagedBy, labels[McsNames.ManagedByLabel]);
        Assert.False(labels.ContainsKey(McsNames.KubernetesServiceNameLabel));
        Assert.Equal("IPv4", slice.Content.AddressType);
        Assert.Matches("^hello-cluster-1-[0-9a-v]{8}$", slice.Name);
        Assert.Equal("10.1.0.1", slice.Content.Endpoints.Single().Addresses.Single());
    }

    [Fact]
    public void A_headless_import_has_no_derived_service_nor_its_annotation()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0, Hello() with { Headless = true })));

        Assert.Empty(_sink.Of<ApplyMcsDerivedService>());
        Assert.False(_sink.Of<ApplyMcsImport>().Single().Document.Annotations.ToDictionary().ContainsKey(McsNames.DerivedServiceAnnotation));
        Assert.Single(_sink.Of<SyncMcsSlices>());
    }

    [Fact]
    public void The_spec_hash_is_stable_across_equal_inputs_and_unchanged_content_is_not_sent_again()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0), Export(2, 2)));
        var first = _sink.Of<ApplyMcsImport>().Single().SpecHash;
        _sink.Clear();

        // A new version with the same content (exports given in another order) costs nothing.
        Assert.True(_decisions.Accept(Ns, Svc, 2, Merged(2, Export(2, 2), Export(1, 0))));
        Assert.Empty(_sink.Work);

        var (work, _) = McsImportDecisions.Plan(Ns, Svc, Merged(7, Export(2, 2), Export(1, 0)), McsHeld.Nothing, _ => true);
        Assert.Equal(first, work.OfType<ApplyMcsImport>().Single().SpecHash);
    }

    [Fact]
    public void Stale_and_repeated_versions_are_dropped()
    {
        _decisions.Accept(Ns, Svc, 2, Merged(2, Export(1, 0)));
        _sink.Clear();

        Assert.False(_decisions.Accept(Ns, Svc, 2, null));
        Assert.False(_decisions.Accept(Ns, Svc, 1, null));
        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void A_type_flip_deletes_the_derived_service_and_flipping_back_creates_it()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0)));
        _sink.Clear();

        _decisions.Accept(Ns, Svc, 2, Merged(2, Export(1, 0, Hello() with { Headless = true })));
        Assert.Equal(McsNames.DerivedName(Ns, Svc), _sink.Of<DeleteMcsDerivedService>().Single().ServiceName);
        Assert.Equal(McsNames.ImportTypes.Headless, _sink.Of<ApplyMcsImport>().Single().Document.Type);
        _sink.Clear();

        _decisions.Accept(Ns, Svc, 3, Merged(3, Export(1, 0)));
        Assert.Single(_sink.Of<ApplyMcsDerivedService>());
        Assert.Empty(_sink.Of<DeleteMcsDerivedService>());
    }

    [Fact]
    public void The_slices_of_a_source_that_leaves_are_removed_and_the_others_untouched()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0), Export(2, 2)));
        _sink.Clear();

        _decisions.Accept(Ns, Svc, 2, Merged(2, Export(1, 0)));

        var removed = _sink.Of<SyncMcsSlices>().Single();
        Assert.Equal(("cluster-2", 0), (removed.SourceCluster, removed.Slices.Length));
        Assert.Equal(["cluster-1"], _sink.Of<ApplyMcsImport>().Single().Document.Clusters.ToArray());
        Assert.Empty(_sink.Of<ApplyMcsDerivedService>());
    }

    [Fact]
    public void When_the_import_goes_everything_it_held_is_deleted()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0), Export(2, 2)));
        _sink.Clear();

        _decisions.Accept(Ns, Svc, 2, null);

        Assert.Single(_sink.Of<DeleteMcsImport>());
        Assert.Single(_sink.Of<DeleteMcsDerivedService>());
        Assert.Equal(["cluster-1", "cluster-2"], _sink.Of<SyncMcsSlices>().Select(s => s.SourceCluster).ToArray());
        Assert.All(_sink.Of<SyncMcsSlices>(), s => Assert.Empty(s.Slices));
        Assert.True(_decisions.HeldOf($"{Ns}/{Svc}").IsNothing);

        _sink.Clear();
        _decisions.Accept(Ns, Svc, 3, null);
        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void An_import_the_member_holds_that_no_service_wants_is_deleted_on_repair()
    {
        _decisions.Repair(Ns, "stray", new McsHeld("x", null, McsHeld.Nothing.SliceSets));

        Assert.Equal("stray", Assert.Single(_sink.Work).Name);
        Assert.IsType<DeleteMcsImport>(_sink.Work.Single());
    }

    [Fact]
    public void A_health_flip_rewrites_only_that_source_slices_readiness()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0), Export(2, 2)));
        _sink.Clear();

        Assert.True(_decisions.SetHealth(K2, false));
        Assert.False(_decisions.SetHealth(K2, false));

        var sync = Assert.IsType<SyncMcsSlices>(Assert.Single(_sink.Work));
        Assert.Equal("cluster-2", sync.SourceCluster);
        var endpoint = sync.Slices.Single().Content.Endpoints.Single();
        Assert.Equal((false, true), (endpoint.Ready, endpoint.Serving));
        _sink.Clear();

        _decisions.SetHealth(K2, true);
        Assert.True(Assert.IsType<SyncMcsSlices>(Assert.Single(_sink.Work)).Slices.Single().Content.Endpoints.Single().Ready);
    }

    [Fact]
    public void Older_health_decisions_of_a_member_are_dropped()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0), Export(2, 2)));
        _sink.Clear();

        Assert.True(_decisions.SetHealth(new MemberHealth(K2, false, 5)));
        Assert.False(_decisions.SetHealth(new MemberHealth(K2, true, 4)));
        Assert.Single(_sink.Work);
        Assert.True(_decisions.SetHealth(new MemberHealth(K2, true, 6)));
        Assert.Equal(2, _sink.Work.Count);
    }

    [Fact]
    public void A_large_source_is_split_into_slices_of_at_most_a_hundred_endpoints_in_a_stable_order()
    {
        var endpoints = Enumerable.Range(0, 150).Select(i => new McsEndpoint([$"10.1.{i / 100}.{i % 100}"], null, true, true, false, null, null)).ToArray();
        var slices = ImmutableArray.Create(
            new McsEndpointSlice("IPv4", [new McsSlicePort("tcp", "TCP", 42, null)], [.. endpoints[..70]]),
            new McsEndpointSlice("IPv4", [new McsSlicePort("tcp", "TCP", 42, null)], [.. endpoints[70..]]));
        var one = Merged(1, Export(1, 0, Hello(Tcp42)) with { Slices = slices });
        var other = Merged(1, Export(1, 0, Hello(Tcp42)) with { Slices = [slices[1], slices[0]] });

        var built = McsImportContent.Slices(one, one.Sources.Single(), true);

        Assert.Equal([100, 50], built.Select(s => s.Content.Endpoints.Length).ToArray());
        Assert.Equal(2, built.Select(s => s.Name).Distinct().Count());
        Assert.Equal(built.ToArray(), McsImportContent.Slices(other, other.Sources.Single(), true).ToArray());
    }

    [Fact]
    public void Resending_everything_sends_the_whole_state_again()
    {
        _decisions.Accept(Ns, Svc, 1, Merged(1, Export(1, 0)));
        var first = _sink.Work.ToList();
        _sink.Clear();

        _decisions.ResendAll();

        Assert.Equal(first, _sink.Work);
    }

    [Fact]
    public void A_slice_name_is_a_short_dns_name_even_for_long_inputs()
    {
        var name = McsImportContent.SliceName("ns", new string('a', 29) + "-bbbbbb", "Cluster.With.A-Very-Long-Id", "IPv6", 3);

        Assert.Matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", name);
        Assert.True(name.Length <= 63, name);
        Assert.DoesNotContain("-.", name);
    }
}
