using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.DataPlane.Dns;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static ErieCanal.Orleans.DataPlane.Tests.Dns.McsFixtures;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>
/// The member DNS against a sandbox member: it reads the member's ServiceImports and multi-cluster slices by watch,
/// answers only after they synced, follows changes, and keeps answering from its cache with the API server gone.
/// No silo and no control plane exist here: the DNS never needs one.
/// </summary>
public sealed class MemberDnsTests : IAsyncLifetime
{
    private const string Member = "c1";
    private const string Ns = "mcs-dns";
    private const string Hello = $"hello.{Ns}.svc.clusterset.local";
    private const string Web = $"web.{Ns}.svc.clusterset.local";

    private SandboxHost _sandbox = null!;
    private Kubernetes _client = null!;
    private MemberDnsServer? _dns;

    private static DnsOptions Options => new()
    {
        MemberName = Member,
        Listen = "127.0.0.1:0",
        Informer = new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500) },
    };

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHost.StartAsync([Member], new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) }, controlPort: 0);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(_sandbox[Member].Kubeconfig()));
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
    }

    [Fact]
    public async Task Is_not_ready_and_answers_SERVFAIL_until_its_informers_synced()
    {
        // Without the ServiceImport CRD the import informer cannot list, so it never syncs.
        _dns = await MemberDns.StartAsync(Options, _sandbox[Member].Kubeconfig());

        await using var probes = await DnsProbeHost.StartAsync("http://127.0.0.1:0", _dns);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        Assert.False(_dns.IsReady);
        Assert.Equal(503, (int)(await http.GetAsync(new Uri(probes.Address, "/readyz"))).StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync(new Uri(probes.Address, "/healthz"))).StatusCode);
        Assert.Equal(ReturnCode.ServerFailure, (await DnsProbe.UdpAsync(_dns.EndPoint, Hello, RecordType.A)).ReturnCode);
        Assert.Equal(ReturnCode.ServerFailure, (await DnsProbe.TcpAsync(_dns.EndPoint, Hello, RecordType.A)).ReturnCode);

        await McsObjects.EnsureServiceImportCrdAsync(_client);
        await _dns.WaitUntilReadyAsync().WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal(ReturnCode.NxDomain, (await DnsProbe.UdpAsync(_dns.EndPoint, Hello, RecordType.A)).ReturnCode);
        Assert.Equal(200, (int)(await http.GetAsync(new Uri(probes.Address, "/readyz"))).StatusCode);
    }

    [Fact]
    public async Task Answers_from_the_members_imports_and_slices_and_follows_their_changes()
    {
        await McsObjects.EnsureServiceImportCrdAsync(_client);
        _dns = await MemberDns.StartAsync(Options, _client);
        await _dns.WaitUntilReadyAsync().WaitAsync(Eventually.DefaultTimeout);

        await McsObjects.CreateImportAsync(_client, ClusterSetIp(Ns, "hello", "10.96.0.10"));
        await McsObjects.CreateImportAsync(_client, Headless(Ns, "web"));
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(Ns, "web", "cluster-1", [new("10.1.0.5", Hostname: "web-0"), new("10.1.0.6", Hostname: "web-1")]), Ns);
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(Ns, "web", "cluster-9", [new("10.9.0.9")], managedBy: "someone-else"), Ns);

        await Eventually.Until(async () => Texts(await DnsProbe.UdpAsync(_dns.EndPoint, Hello, RecordType.A)) == "10.96.0.10", "ClusterSetIP answered");
        await Eventually.Until(async () => Texts(await DnsProbe.UdpAsync(_dns.EndPoint, Web, RecordType.A)) == "10.1.0.5,10.1.0.6", "headless answered");
        Assert.Equal("0 50 42 hello.mcs-dns.svc.clusterset.local.", Texts(await DnsProbe.TcpAsync(_dns.EndPoint, Hello, RecordType.Srv)));
        Assert.Equal("10.1.0.6", Texts(await DnsProbe.UdpAsync(_dns.EndPoint, $"web-1.cluster-1.{Web}", RecordType.A)));

        // web-0 goes unready, then the headless import loses its last ready endpoint: NXDOMAIN.
        var slice = await _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("web-cluster-1-ipv4", Ns);
        slice.Endpoints[0].Conditions = new V1EndpointConditions { Ready = false };
        await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, Ns);
        await Eventually.Until(async () => Texts(await DnsProbe.UdpAsync(_dns.EndPoint, Web, RecordType.A)) == "10.1.0.6", "unready endpoint dropped");

        await _client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("web-cluster-1-ipv4", Ns);
        await Eventually.Until(async () => (await DnsProbe.UdpAsync(_dns.EndPoint, Web, RecordType.A)).ReturnCode == ReturnCode.NxDomain, "no ready endpoint: NXDOMAIN");

        await McsObjects.DeleteImportAsync(_client, Ns, "hello");
        await Eventually.Until(async () => (await DnsProbe.UdpAsync(_dns.EndPoint, Hello, RecordType.A)).ReturnCode == ReturnCode.NxDomain, "unimported: NXDOMAIN");
    }

    [Fact]
    public async Task Keeps_answering_from_its_cache_while_the_members_API_server_is_down()
    {
        await McsObjects.EnsureServiceImportCrdAsync(_client);
        await McsObjects.CreateImportAsync(_client, ClusterSetIp(Ns, "hello", "10.96.0.10"));
        await McsObjects.CreateImportAsync(_client, Headless(Ns, "web"));
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(Ns, "web", "cluster-1", [new("10.1.0.5", Hostname: "web-0")]), Ns);
        _dns = await MemberDns.StartAsync(Options, _sandbox[Member].Kubeconfig());
        await Eventually.Until(async () => Texts(await DnsProbe.UdpAsync(_dns.EndPoint, Web, RecordType.A)) == "10.1.0.5", "answered");

        // No silo exists in this test at all; now the member's API server goes away too.
        await _sandbox[Member].GoOfflineAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("10.96.0.10", Texts(await DnsProbe.UdpAsync(_dns.EndPoint, Hello, RecordType.A)));
            Assert.Equal("10.1.0.5", Texts(await DnsProbe.TcpAsync(_dns.EndPoint, Web, RecordType.A)));
            Assert.Equal("10.1.0.5", Texts(await DnsProbe.UdpAsync(_dns.EndPoint, $"web-0.cluster-1.{Web}", RecordType.A)));
        }

        Assert.True(_dns.IsReady);
    }

    [Fact]
    public async Task A_taken_DNS_port_fails_the_start()
    {
        using var holder = ClustersetDnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        var options = Options;
        options.Listen = holder.EndPoint.ToString();

        var error = await Assert.ThrowsAsync<SocketException>(() => MemberDns.StartAsync(options, _client));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    public async Task DisposeAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }

        _client?.Dispose();
        await _sandbox.DisposeAsync();
    }

    private static string Texts(DnsMessage response) => string.Join(',', response.AnswerRecords.Select(Text).Order(StringComparer.Ordinal));
}
