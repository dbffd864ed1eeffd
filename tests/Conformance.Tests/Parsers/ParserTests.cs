using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>The ported parsers read BIND nslookup's output as the Go originals do (the samples are the suite's comments' and bookworm nslookup's).</summary>
public sealed class ParserTests
{
    [Fact]
    public void Srv_records_are_the_last_two_tokens_with_one_trailing_dot_dropped()
    {
        const string output = """
            Server:		127.0.0.10
            Address:	127.0.0.10#53

            hello.mcs-conformance-1686874467.svc.clusterset.local	service = 0 50 42 hello.mcs-conformance-1686874467.svc.clusterset.local.
            """;

        Assert.Equal([new SrvRecord(42, "hello.mcs-conformance-1686874467.svc.clusterset.local")], SrvRecord.Parse(output));
    }

    [Fact]
    public void An_nxdomain_answer_has_no_srv_records()
    {
        const string output = """
            Server:		127.0.0.10
            Address:	127.0.0.10#53

            ** server can't find hello.ns.svc.clusterset.local: NXDOMAIN
            """;

        Assert.Empty(SrvRecord.Parse(output));
    }

    [Fact]
    public void Nslookup_addresses_are_the_answers_not_the_server()
    {
        const string output = """
            Server:		10.96.0.10
            Address:	10.96.0.10#53

            Name:	hello.mcs-conformance-2021198391.svc.clusterset.local
            Address: 10.244.0.52
            Name:	hello.mcs-conformance-2021198391.svc.clusterset.local
            Address: 10.244.0.51
            """;

        Assert.Equal(["10.244.0.51", "10.244.0.52"], NslookupAddresses.Parse(output));
        Assert.True(NslookupAddresses.Have(output, ["10.244.0.52", "10.244.0.51"]));
        Assert.False(NslookupAddresses.Have(output, ["10.244.0.52"]));
    }

    [Fact]
    public void Mcs_ports_sort_by_name_ignoring_case()
    {
        var sorted = McsPort.Sort([new McsPort("udp", "UDP", 42, null), new McsPort("STCP", "SCTP", 142, null), new McsPort("tcp", "TCP", 42, null)]);

        Assert.Equal(["STCP", "tcp", "udp"], sorted.Select(p => p.Name));
    }

    [Theory]
    [InlineData("10.96.0.1", "IPv4", "A")]
    [InlineData("127.0.0.10", "IPv4", "A")]
    [InlineData("fd00::1", "IPv6", "AAAA")]
    public void Ip_families_and_record_types(string ip, string family, string recordType)
    {
        Assert.Equal(family, IpFamilies.Of(ip));
        Assert.Equal(recordType, IpFamilies.DnsRecordTypeOf(family));
        Assert.Equal(family, IpFamilies.AddressTypeOf(family));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.1")]
    [InlineData("hello")]
    public void Anything_else_is_not_an_ip(string text) => Assert.Throws<FormatException>(() => IpFamilies.Of(text));

    [Fact]
    public void The_nc_command_is_the_suites()
    {
        Assert.Equal("echo hi | nc -v -w 2 -4 hello.ns.svc.clusterset.local 42 2>&1", NcCommand.For(IpFamilies.IPv4, "hello.ns.svc.clusterset.local", 42));
        Assert.StartsWith("addr=$(nslookup -type=AAAA hello.ns.svc.clusterset.local. 2>&1 | grep '^Address:' | grep -v '#' | tail -1 | awk '{print $2}'); ",
            NcCommand.For(IpFamilies.IPv6, "hello.ns.svc.clusterset.local", 42), StringComparison.Ordinal);
    }
}
