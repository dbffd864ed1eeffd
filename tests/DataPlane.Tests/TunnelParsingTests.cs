using System.Text;
using ErieCanal.Orleans.DataPlane.Proxy.Listeners;
using ErieCanal.Orleans.DataPlane.Tunnel;
using ErieCanal.Orleans.Interfaces;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>The pure rules of the TCP path: tunnel names, the listener plan, what counts as HTTP, the hop marker.</summary>
public sealed class TunnelParsingTests
{
    [Theory]
    [InlineData("echo.tn:42", "tn", "echo", 42)]
    [InlineData("Echo.TN:42", "tn", "echo", 42)]
    [InlineData("echo.tn", null, null, 0)]
    [InlineData("echo:42", null, null, 0)]
    [InlineData("echo.tn.svc:42", null, null, 0)]
    [InlineData("10.0.0.1:22", null, null, 0)]
    [InlineData("echo.tn:0", null, null, 0)]
    [InlineData("echo.tn:65536", null, null, 0)]
    [InlineData("-echo.tn:42", null, null, 0)]
    [InlineData("echo_x.tn:42", null, null, 0)]
    public void Parses_only_svc_ns_port_tunnel_names(string text, string? ns, string? name, int port)
    {
        var parsed = TunnelName.Parse(text);
        Assert.Equal(ns is null ? null : new TunnelName(ns, name!, port), parsed);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1", true)]
    [InlineData("OPTIONS ", true)]
    [InlineData("CONNECT x", true)]
    [InlineData("GE", null)]
    [InlineData("DELE", null)]
    [InlineData("GETX", false)]
    [InlineData("SSH-2.0", false)]
    [InlineData("\u0016\u0003\u0001", false)]
    public void Tells_an_HTTP_request_line_from_other_first_bytes(string start, bool? http) =>
        Assert.Equal(http, ProtocolSniffer.Classify(Encoding.Latin1.GetBytes(start)));

    [Theory]
    [InlineData("http", null, ListenerProtocol.Http)]
    [InlineData("http-alt", null, ListenerProtocol.Http)]
    [InlineData("anything", "http", ListenerProtocol.Http)]
    [InlineData("anything", "kubernetes.io/h2c", ListenerProtocol.Http)]
    [InlineData("tcp", null, ListenerProtocol.Tcp)]
    [InlineData("tcp-redis", null, ListenerProtocol.Tcp)]
    [InlineData("http", "tcp", ListenerProtocol.Tcp)]
    [InlineData("redis", null, ListenerProtocol.Sniff)]
    [InlineData(null, null, ListenerProtocol.Sniff)]
    public void Takes_the_protocol_a_port_declares_else_sniffs(string? name, string? appProtocol, ListenerProtocol expected) =>
        Assert.Equal(expected, ListenerPlan.ProtocolOf(new Discoveryv1EndpointPort { Name = name, AppProtocol = appProtocol, Port = 1 }));

    [Fact]
    public void Plans_one_listener_per_port_and_refuses_ports_out_of_range_or_claimed_twice()
    {
        var (wanted, refused) = ListenerPlan.Build(
            [
                Slice("a", "web", ProxyListeners.FlomeshKind, "20001=80,20002=42,30000=43"),
                Slice("b", "other", ProxyListeners.McsKind, "20001=8080,20003=9"),
                Slice("c", "bad", "nonsense", "20004=1"),
            ],
            20000,
            29999);

        Assert.Equal([20001, 20002, 20003], wanted.Keys.Order());
        Assert.Equal(new ListenerRoute(ProxyListeners.FlomeshKind, "ns", "web", 80, ListenerProtocol.Sniff), wanted[20001]);
        Assert.Equal("other.ns:9", wanted[20003].Service);
        Assert.Contains("outside the listener range", refused[30000], StringComparison.Ordinal);
        Assert.Contains("claimed by web.ns:80 and by other.ns:8080", refused[20001], StringComparison.Ordinal);
    }

    [Fact]
    public void Finds_a_member_in_the_hop_marker()
    {
        var hops = DataPlaneHeaders.AppendHop(DataPlaneHeaders.AppendHop(null, "k/c1"), "k/c2");
        Assert.Equal("k/c1, k/c2", hops);
        Assert.True(DataPlaneHeaders.HopsInclude([hops], "k/c2"));
        Assert.False(DataPlaneHeaders.HopsInclude([hops], "k/c"));
        Assert.False(DataPlaneHeaders.HopsInclude([], "k/c1"));
    }

    private static V1EndpointSlice Slice(string name, string import, string kind, string listeners) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Labels = new Dictionary<string, string> { [ProxyListeners.ImportKindLabel] = kind, [ProxyListeners.ImportNameLabel] = import },
            Annotations = new Dictionary<string, string> { [ProxyListeners.ListenersAnnotation] = listeners },
        },
        AddressType = "IPv4",
    };
}
