using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.DataPlane.Dns;
using ErieCanal.Orleans.DataPlane.MemberView;
using k8s.Models;
using static ErieCanal.Orleans.DataPlane.Tests.Dns.McsFixtures;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>Every row of the records table (plan §5.1; mcs-api DNS specification v1.0.0) over hand-written objects, no sockets.</summary>
public sealed class ClustersetRecordsTests
{
    private const string Ns = "demo";
    private const string Hello = "hello.demo.svc.clusterset.local";

    [Fact]
    public void Dns_version_is_a_TXT_record_with_the_schema_version()
    {
        var response = Answer(ClustersetRecords.Empty, "dns-version.clusterset.local", RecordType.Txt);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        var txt = Assert.IsType<TxtRecord>(Assert.Single(response.AnswerRecords));
        Assert.Equal("1.0.0", txt.TextData);
        Assert.Equal(5, txt.TimeToLive);
    }

    [Fact]
    public void ClusterSetIP_A_and_AAAA_are_the_imports_IPs_of_that_family()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10", "fd00::a")]);

        Assert.Equal(["10.96.0.10"], Answers(records, Hello, RecordType.A));
        Assert.Equal(["fd00::a"], Answers(records, Hello, RecordType.Aaaa));
        Assert.All(Answer(records, Hello, RecordType.A).AnswerRecords, r => Assert.Equal(5, r.TimeToLive));
    }

    [Fact]
    public void ClusterSetIP_without_an_IP_of_the_family_is_NODATA_with_the_SOA()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10"), ClusterSetIp(Ns, "pending")]);

        AssertNoData(Answer(records, Hello, RecordType.Aaaa));
        AssertNoData(Answer(records, "pending.demo.svc.clusterset.local", RecordType.A));
    }

    [Fact]
    public void ClusterSetIP_bare_name_SRV_sends_identical_records_once()
    {
        // tcp/42 and udp/42 give the same RR: the conformance suite expects exactly one.
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10")]);

        var response = Answer(records, Hello, RecordType.Srv);

        Assert.Equal(["0 50 42 hello.demo.svc.clusterset.local."], response.AnswerRecords.Select(Text));
        Assert.Equal(["10.96.0.10"], response.AdditionalRecords.Select(Text));
    }

    [Fact]
    public void ClusterSetIP_port_SRV_per_named_port_and_protocol()
    {
        var records = Build([Import(Ns, "hello", "ClusterSetIP", ["10.96.0.10"], [new Port("http", 80), new Port("dns", 53, "UDP"), new Port("dns", 53, "TCP"), new Port(null, 9000)])]);

        Assert.Equal(["0 50 80 hello.demo.svc.clusterset.local."], Answers(records, "_http._tcp." + Hello, RecordType.Srv));
        Assert.Equal(["0 50 53 hello.demo.svc.clusterset.local."], Answers(records, "_dns._udp." + Hello, RecordType.Srv));
        Assert.Equal(["0 50 53 hello.demo.svc.clusterset.local."], Answers(records, "_dns._tcp." + Hello, RecordType.Srv));
        Assert.Equal(["0 50 53 hello.demo.svc.clusterset.local.", "0 50 80 hello.demo.svc.clusterset.local."], Answers(records, Hello, RecordType.Srv));
        AssertNxDomain(Answer(records, "_http._udp." + Hello, RecordType.Srv));
        AssertNxDomain(Answer(records, "_tcp." + Hello, RecordType.Srv));
        AssertNoData(Answer(records, "_http._tcp." + Hello, RecordType.A));
    }

    [Fact]
    public void ClusterSetIP_with_only_unnamed_ports_has_no_SRV()
    {
        var records = Build([Import(Ns, "hello", "ClusterSetIP", ["10.96.0.10"], [new Port(null, 80)])]);

        AssertNoData(Answer(records, Hello, RecordType.Srv));
    }

    [Fact]
    public void Headless_A_is_exactly_the_ready_endpoint_addresses_of_every_source_cluster()
    {
        var records = Build(
            [Headless(Ns, "hello")],
            [
                Slice(Ns, "hello", "cluster-1", [new("10.1.0.5"), new("10.1.0.6", Ready: false), new("10.1.0.7", Ready: null)]),
                Slice(Ns, "hello", "cluster-2", [new("10.2.0.5")]),
            ]);

        Assert.Equal(["10.1.0.5", "10.1.0.7", "10.2.0.5"], Answers(records, Hello, RecordType.A).Order(StringComparer.Ordinal));
        AssertNoData(Answer(records, Hello, RecordType.Aaaa));
    }

    [Fact]
    public void Headless_without_a_ready_endpoint_is_NXDOMAIN()
    {
        var records = Build(
            [Headless(Ns, "hello"), Headless(Ns, "empty")],
            [Slice(Ns, "hello", "cluster-1", [new("10.1.0.5", Ready: false, Hostname: "hello-0")])]);

        AssertNxDomain(Answer(records, Hello, RecordType.A));
        AssertNxDomain(Answer(records, Hello, RecordType.Srv));
        AssertNxDomain(Answer(records, "hello-0.cluster-1." + Hello, RecordType.A));
        AssertNxDomain(Answer(records, "empty.demo.svc.clusterset.local", RecordType.A));
    }

    [Fact]
    public void Headless_endpoint_names_use_the_slice_hostname_else_the_dashed_address()
    {
        var records = Build(
            [Headless(Ns, "hello")],
            [
                Slice(Ns, "hello", "cluster-1", [new("10.1.0.5", Hostname: "hello-ss-0"), new("10.244.0.10")]),
                Slice(Ns, "hello", "cluster-2", [new("fd00::1")], addressType: "IPv6"),
            ]);

        Assert.Equal(["10.1.0.5"], Answers(records, "hello-ss-0.cluster-1." + Hello, RecordType.A));
        Assert.Equal(["10.244.0.10"], Answers(records, "10-244-0-10.cluster-1." + Hello, RecordType.A));
        Assert.Equal(["fd00::1"], Answers(records, "fd00--1.cluster-2." + Hello, RecordType.Aaaa));
        AssertNxDomain(Answer(records, "hello-ss-0.cluster-2." + Hello, RecordType.A));
        AssertNoData(Answer(records, "hello-ss-0.cluster-1." + Hello, RecordType.Aaaa));
    }

    [Fact]
    public void A_pod_listed_in_a_slice_per_family_is_one_name_with_both_addresses()
    {
        var records = Build(
            [Headless(Ns, "hello")],
            [
                Slice(Ns, "hello", "cluster-1", [new("10.1.0.5", Hostname: "web-0")]),
                Slice(Ns, "hello", "cluster-1", [new("fd00::5", Hostname: "web-0")], addressType: "IPv6"),
            ]);

        Assert.Equal(["10.1.0.5"], Answers(records, "web-0.cluster-1." + Hello, RecordType.A));
        Assert.Equal(["fd00::5"], Answers(records, "web-0.cluster-1." + Hello, RecordType.Aaaa));
        Assert.Equal(["0 50 42 web-0.cluster-1.hello.demo.svc.clusterset.local."], Answers(records, Hello, RecordType.Srv));
    }

    [Fact]
    public void Cluster_ids_may_contain_dots()
    {
        var records = Build([Headless(Ns, "hello")], [Slice(Ns, "hello", "east.prod", [new("10.1.0.5", Hostname: "web-0")])]);

        Assert.Equal(["10.1.0.5"], Answers(records, "web-0.east.prod." + Hello, RecordType.A));
        AssertNxDomain(Answer(records, "east.prod." + Hello, RecordType.A));
        AssertNxDomain(Answer(records, "prod." + Hello, RecordType.A));
    }

    [Fact]
    public void The_cluster_id_under_a_service_never_exists()
    {
        var records = Build(
            [Headless(Ns, "hello"), ClusterSetIp(Ns, "vip", "10.96.0.11")],
            [Slice(Ns, "hello", "cluster-1", [new("10.1.0.5", Hostname: "web-0")])]);

        AssertNxDomain(Answer(records, "cluster-1." + Hello, RecordType.A));
        AssertNxDomain(Answer(records, "cluster-1." + Hello, RecordType.Srv));
        AssertNxDomain(Answer(records, "cluster-1.vip.demo.svc.clusterset.local", RecordType.A));
        AssertNxDomain(Answer(records, "web-0.cluster-1.vip.demo.svc.clusterset.local", RecordType.A));
    }

    [Fact]
    public void Headless_SRV_is_one_record_per_ready_endpoint_and_distinct_port_with_the_targets_addresses()
    {
        var records = Build(
            [Headless(Ns, "hello")],
            [
                Slice(Ns, "hello", "cluster-1", [new("10.1.0.5", Hostname: "hello-ss-0"), new("10.1.0.6", Hostname: "hello-ss-1"), new("10.1.0.7", Ready: false, Hostname: "hello-ss-2")]),
                Slice(Ns, "hello", "cluster-2", [new("10.2.0.5")]),
            ]);

        var response = Answer(records, Hello, RecordType.Srv);

        Assert.Equal(
            [
                "0 50 42 10-2-0-5.cluster-2.hello.demo.svc.clusterset.local.",
                "0 50 42 hello-ss-0.cluster-1.hello.demo.svc.clusterset.local.",
                "0 50 42 hello-ss-1.cluster-1.hello.demo.svc.clusterset.local.",
            ],
            response.AnswerRecords.Select(Text));
        Assert.Equal(["10.1.0.5", "10.1.0.6", "10.2.0.5"], response.AdditionalRecords.Select(Text).Order(StringComparer.Ordinal));
        Assert.Equal(3, Answers(records, "_tcp._tcp." + Hello, RecordType.Srv).Count);
        Assert.Equal(3, Answers(records, "_udp._udp." + Hello, RecordType.Srv).Count);
    }

    [Fact]
    public void Unknown_names_are_authoritative_NXDOMAIN_with_the_SOA_for_negative_caching()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10")]);

        foreach (var name in new[] { "nope.demo.svc.clusterset.local", "hello.other.svc.clusterset.local", "x.clusterset.local", "a.b.c.hello.demo.svc.clusterset.local" })
        {
            var response = Answer(records, name, RecordType.A);
            AssertNxDomain(response);
            var soa = Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
            Assert.Equal("clusterset.local.", soa.Name.ToString());
            Assert.Equal(5, soa.NegativeCachingTTL);
            Assert.Equal(5, soa.TimeToLive);
        }
    }

    [Fact]
    public void Other_types_on_existing_names_are_NOERROR_and_empty()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10")]);

        AssertNoData(Answer(records, Hello, RecordType.Txt));
        AssertNoData(Answer(records, Hello, RecordType.Ptr));
        AssertNoData(Answer(records, "dns-version.clusterset.local", RecordType.A));
        AssertNoData(Answer(records, "demo.svc.clusterset.local", RecordType.A));
        AssertNoData(Answer(records, "svc.clusterset.local", RecordType.A));
        Assert.IsType<SoaRecord>(Assert.Single(Answer(records, "clusterset.local", RecordType.Soa).AnswerRecords));
    }

    [Fact]
    public void Names_outside_clusterset_local_are_refused()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10")]);

        foreach (var name in new[] { "hello.demo.svc.cluster.local", "example.com", "local" })
        {
            var response = Answer(records, name, RecordType.A);
            Assert.Equal(ReturnCode.Refused, response.ReturnCode);
            Assert.False(response.IsAuthoritiveAnswer);
            Assert.Empty(response.AnswerRecords);
        }

        Assert.Equal(ReturnCode.Refused, records.Answer(Query(Hello, RecordType.A, RecordClass.Chaos)).ReturnCode);
    }

    [Fact]
    public void Questions_are_case_insensitive_and_the_response_echoes_the_query()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10")]);

        var response = Answer(records, "HeLLo.Demo.SVC.ClusterSet.Local", RecordType.A);

        Assert.Equal(["10.96.0.10"], response.AnswerRecords.Select(Text));
        Assert.Equal(4242, response.TransactionID);
        Assert.False(response.IsQuery);
        Assert.False(response.IsRecursionAllowed);
    }

    [Fact]
    public void Only_this_systems_slices_with_a_source_cluster_count()
    {
        var foreign = Slice(Ns, "hello", "cluster-9", [new("10.9.0.1")], managedBy: "someone-else");
        var anonymous = Slice(Ns, "hello", "cluster-8", [new("10.8.0.1")]);
        anonymous.Metadata.Labels.Remove(ErieCanal.Orleans.Interfaces.Mcs.McsNames.SourceClusterLabel);
        var records = Build([Headless(Ns, "hello")], [foreign, anonymous, Slice(Ns, "hello", "cluster-1", [new("10.1.0.5")]), Slice("elsewhere", "hello", "cluster-1", [new("10.7.0.5")])]);

        Assert.Equal(["10.1.0.5"], Answers(records, Hello, RecordType.A));
    }

    [Fact]
    public void The_TTL_is_configurable_and_applies_to_every_record()
    {
        var records = ClustersetRecords.Build([ClusterSetIp(Ns, "hello", "10.96.0.10")], [], ttlSeconds: 30);

        var response = Answer(records, Hello, RecordType.Srv);
        Assert.All(response.AnswerRecords.Concat(response.AdditionalRecords), r => Assert.Equal(30, r.TimeToLive));
        Assert.Equal(30, Assert.IsType<SoaRecord>(Assert.Single(Answer(records, "nope.clusterset.local", RecordType.A).AuthorityRecords)).NegativeCachingTTL);
    }

    [Fact]
    public void ANY_returns_every_record_of_the_name()
    {
        var records = Build([ClusterSetIp(Ns, "hello", "10.96.0.10", "fd00::a")]);

        var response = Answer(records, Hello, RecordType.Any);

        Assert.Equal([RecordType.A, RecordType.Aaaa, RecordType.Srv], response.AnswerRecords.Select(r => r.RecordType).Order());
    }

    [Fact]
    public void More_than_one_question_is_a_format_error()
    {
        var query = Query(Hello, RecordType.A);
        query.Questions.Add(query.Questions[0]);

        Assert.Equal(ReturnCode.FormatError, Build([]).Answer(query).ReturnCode);
    }

    [Fact]
    public void Counts_the_services_that_have_names()
    {
        var records = Build([ClusterSetIp(Ns, "a", "10.96.0.1"), Headless(Ns, "b"), Headless(Ns, "c")], [Slice(Ns, "c", "cluster-1", [new("10.1.0.1")])]);

        Assert.Equal(2, records.ServiceCount);
    }

    private static ClustersetRecords Build(IEnumerable<McsServiceImport> imports, IEnumerable<V1EndpointSlice>? slices = null) =>
        ClustersetRecords.Build(imports, slices ?? []);

    private static DnsMessage Answer(ClustersetRecords records, string name, RecordType type) => records.Answer(Query(name, type));

    private static List<string> Answers(ClustersetRecords records, string name, RecordType type)
    {
        var response = Answer(records, name, type);
        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        return [.. response.AnswerRecords.Select(Text)];
    }

    private static void AssertNxDomain(DnsMessage response)
    {
        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
    }

    private static void AssertNoData(DnsMessage response)
    {
        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
    }
}
