using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.DataPlane.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using static ErieCanal.Orleans.DataPlane.Tests.Dns.McsFixtures;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>The DNS server over real UDP and TCP sockets on loopback, on a port it bound itself (port 0).</summary>
public sealed class ClustersetDnsServerTests : IDisposable
{
    private const string Hello = "hello.demo.svc.clusterset.local";

    private readonly ClustersetDnsServer _server = ClustersetDnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);

    [Fact]
    public void Binds_one_port_for_both_transports_on_loopback()
    {
        Assert.Equal(IPAddress.Loopback, _server.EndPoint.Address);
        Assert.NotEqual(0, _server.EndPoint.Port);
        Assert.False(_server.IsReady);
    }

    [Fact]
    public async Task Answers_SERVFAIL_until_it_has_records_then_from_them()
    {
        Assert.Equal(ReturnCode.ServerFailure, (await DnsProbe.UdpAsync(_server.EndPoint, Hello, RecordType.A)).ReturnCode);
        Assert.Equal(ReturnCode.ServerFailure, (await DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.A)).ReturnCode);

        _server.Update(ClustersetRecords.Build([ClusterSetIp("demo", "hello", "10.96.0.10")], []));

        Assert.True(_server.IsReady);
        foreach (var response in new[] { await DnsProbe.UdpAsync(_server.EndPoint, Hello, RecordType.A), await DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.A) })
        {
            Assert.Equal(ReturnCode.NoError, response.ReturnCode);
            Assert.True(response.IsAuthoritiveAnswer);
            Assert.Equal(["10.96.0.10"], response.AnswerRecords.Select(Text));
        }

        Assert.Equal(ReturnCode.NxDomain, (await DnsProbe.UdpAsync(_server.EndPoint, "nope.demo.svc.clusterset.local", RecordType.A)).ReturnCode);
        Assert.Equal(ReturnCode.Refused, (await DnsProbe.UdpAsync(_server.EndPoint, "example.com", RecordType.A)).ReturnCode);
        Assert.Equal(["1.0.0"], (await DnsProbe.TcpAsync(_server.EndPoint, "dns-version.clusterset.local", RecordType.Txt)).AnswerRecords.Select(Text));
    }

    [Fact]
    public async Task A_large_headless_answer_is_truncated_over_UDP_and_complete_over_TCP()
    {
        const int Pods = 80;
        _server.Update(ClustersetRecords.Build(
            [Headless("demo", "hello")],
            [Slice("demo", "hello", "cluster-1", Enumerable.Range(0, Pods).Select(i => new Endpoint($"10.1.{i / 250}.{(i % 250) + 1}", Hostname: $"hello-ss-{i}")))]));

        var udp = await DnsProbe.UdpAsync(_server.EndPoint, Hello, RecordType.Srv);
        Assert.True(udp.IsTruncated);
        Assert.True(udp.AnswerRecords.Count < Pods);

        var tcp = await DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.Srv);
        Assert.False(tcp.IsTruncated);
        Assert.Equal(Pods, tcp.AnswerRecords.Count);
        Assert.Equal(Pods, tcp.AdditionalRecords.Count);

        var a = await DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.A);
        Assert.Equal(Pods, a.AnswerRecords.Count);
    }

    [Fact]
    public async Task Serves_many_queries_at_once_over_both_transports()
    {
        _server.Update(ClustersetRecords.Build([ClusterSetIp("demo", "hello", "10.96.0.10")], []));

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => i % 2 == 0
            ? DnsProbe.UdpAsync(_server.EndPoint, Hello, RecordType.A)
            : DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.A)));

        Assert.All(answers, r => Assert.Equal(["10.96.0.10"], r.AnswerRecords.Select(Text)));
    }

    [Fact]
    public async Task A_resolver_with_EDNS_gets_a_truncated_UDP_answer_and_retries_over_TCP()
    {
        const int Pods = 200;
        _server.Update(ClustersetRecords.Build(
            [Headless("demo", "hello")],
            [Slice("demo", "hello", "cluster-1", Enumerable.Range(0, Pods).Select(i => new Endpoint($"10.1.{i / 250}.{(i % 250) + 1}")))]));
        using var client = new DnsClient([_server.EndPoint.Address], [new UdpClientTransport(_server.EndPoint.Port), new TcpClientTransport(_server.EndPoint.Port)], disposeTransport: true, queryTimeout: 10000);

        var options = new DnsQueryOptions { IsRecursionDesired = true, EDnsOptions = new OptRecord { UdpPayloadSize = 1232 } };
        var response = await client.ResolveAsync(ARSoft.Tools.Net.DomainName.Parse(Hello), RecordType.A, options: options);

        Assert.NotNull(response);
        Assert.False(response.IsTruncated);
        Assert.Equal(Pods, response.AnswerRecords.Count);
    }

    [Fact]
    public async Task Answers_pipelined_queries_on_one_TCP_connection()
    {
        _server.Update(ClustersetRecords.Build([ClusterSetIp("demo", "hello", "10.96.0.10")], []));

        var answers = await DnsProbe.TcpPipelinedAsync(_server.EndPoint, (Hello, RecordType.A), (Hello, RecordType.Srv), ("dns-version.clusterset.local", RecordType.Txt));

        Assert.Equal(["10.96.0.10"], answers[0].AnswerRecords.Select(Text));
        Assert.Equal(["0 50 42 hello.demo.svc.clusterset.local."], answers[1].AnswerRecords.Select(Text));
        Assert.Equal(["1.0.0"], answers[2].AnswerRecords.Select(Text));
    }

    [Fact]
    public async Task Keeps_serving_after_bytes_that_are_no_DNS_message()
    {
        _server.Update(ClustersetRecords.Build([ClusterSetIp("demo", "hello", "10.96.0.10")], []));

        await DnsProbe.SendGarbageAsync(_server.EndPoint, [1]);
        await DnsProbe.SendGarbageAsync(_server.EndPoint, [.. Enumerable.Repeat((byte)0xff, 600)]);

        await DnsProbe.SendTcpGarbageAsync(_server.EndPoint, [0, 1, 7]);
        await DnsProbe.SendTcpGarbageAsync(_server.EndPoint, [0, 20, .. Enumerable.Repeat((byte)0xff, 20)]);

        Assert.Equal(["10.96.0.10"], (await DnsProbe.UdpAsync(_server.EndPoint, Hello, RecordType.A)).AnswerRecords.Select(Text));
        Assert.Equal(["10.96.0.10"], (await DnsProbe.TcpAsync(_server.EndPoint, Hello, RecordType.A)).AnswerRecords.Select(Text));
    }

    [Fact]
    public void Stops_cleanly_right_after_it_started()
    {
        for (var i = 0; i < 20; i++)
        {
            ClustersetDnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance).Dispose();
        }
    }

    [Fact]
    public void A_taken_port_fails_the_start()
    {
        // The port is held by this server's own TCP listener for the whole test, so nothing else can take it meanwhile.
        var error = Assert.Throws<SocketException>(() => ClustersetDnsServer.Start(_server.EndPoint, NullLogger.Instance));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    public void Dispose() => _server.Dispose();
}
