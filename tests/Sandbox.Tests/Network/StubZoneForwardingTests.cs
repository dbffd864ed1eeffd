using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>
/// The cluster DNS honours stub zones the kube-system/coredns ConfigMap declares, as CoreDNS does with the chart's
/// documented <c>clusterset.local:53 { forward . addr }</c> block: questions are forwarded (dig through the cluster
/// DNS to a fake upstream), the upstream's rcode comes back, a silent upstream is SERVFAIL, and an edit takes effect.
/// </summary>
public sealed class StubZoneForwardingTests : IAsyncLifetime
{
    private readonly NetworkFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Stub_zones_forward_to_their_upstream_and_a_silent_one_is_servfail()
    {
        var upstreamEndPoint = new IPEndPoint(IPAddress.Loopback, LocalPorts.Reserve());
        using var upstream = new DnsServer(new UdpServerTransport(upstreamEndPoint), new TcpServerTransport(upstreamEndPoint));
        upstream.QueryReceived += (_, e) =>
        {
            var query = (DnsMessage)e.Query;
            var response = query.CreateResponseInstance();
            response.IsAuthoritiveAnswer = true;
            var question = query.Questions[0];
            if (question.Name.Equals(DomainName.Parse("hello.demo.svc.clusterset.local")) && question.RecordType == RecordType.A)
            {
                response.AnswerRecords.Add(new ARecord(question.Name, 5, IPAddress.Parse("127.77.0.1")));
            }
            else
            {
                response.ReturnCode = ReturnCode.NxDomain;
            }

            e.Response = response;
            return Task.CompletedTask;
        };
        upstream.Start();

        // Takes questions and never answers.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var silentPort = ((IPEndPoint)silent.Client.LocalEndPoint!).Port;

        using var client = _fixture.Client();
        var corefile = $$"""
            .:53 {
                errors
                kubernetes cluster.local in-addr.arpa ip6.arpa {
                   pods insecure
                   fallthrough in-addr.arpa ip6.arpa
                }
                forward . /etc/resolv.conf
                cache 30
            }
            clusterset.local:53 {
                errors
                cache 5
                forward . {{upstreamEndPoint}}
            }
            silent.example:53 {
                forward . 127.0.0.1:{{silentPort}}
            }
            """;
        await client.CoreV1.CreateNamespacedConfigMapAsync(CoreDns(corefile), "kube-system");

        var hello = await Dig.AskAsync(_fixture.Cluster, "hello.demo.svc.clusterset.local");
        Assert.Equal("NOERROR", hello.Status);
        Assert.Equal(["127.77.0.1"], hello.Addresses);
        Assert.Equal("NXDOMAIN", (await Dig.AskAsync(_fixture.Cluster, "missing.demo.svc.clusterset.local")).Status);
        Assert.Equal("SERVFAIL", (await Dig.AskAsync(_fixture.Cluster, "anything.silent.example")).Status);
        Assert.Equal("REFUSED", (await Dig.AskAsync(_fixture.Cluster, "example.com")).Status);

        // Editing the Corefile takes effect on the next question, as CoreDNS's reload does.
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(CoreDns(".:53 {\n    forward . /etc/resolv.conf\n}\n"), "coredns", "kube-system");
        Assert.Equal("REFUSED", (await Dig.AskAsync(_fixture.Cluster, "hello.demo.svc.clusterset.local")).Status);
    }

    private static V1ConfigMap CoreDns(string corefile) => new()
    {
        Metadata = new V1ObjectMeta { Name = "coredns", NamespaceProperty = "kube-system" },
        Data = new Dictionary<string, string> { ["Corefile"] = corefile },
    };

    private sealed class NetworkFixture : SandboxFixture
    {
        protected override SandboxClusterOptions Options => base.Options with { ServeClusterNetwork = true };
    }
}
