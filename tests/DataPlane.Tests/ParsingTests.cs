using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Proxy;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>The pure rules under the sockets: Kubernetes path and host matching, proxy targets, service names, options.</summary>
public sealed class ParsingTests
{
    [Theory]
    [InlineData("/httpbin", "Prefix", "/httpbin", true)]
    [InlineData("/httpbin", "Prefix", "/httpbin/x", true)]
    [InlineData("/httpbin", "Prefix", "/httpbinx", false)]
    [InlineData("/httpbin/", "Prefix", "/httpbin", true)]
    [InlineData("/", "Prefix", "/anything", true)]
    [InlineData("/a/b", "Prefix", "/a/bc", false)]
    [InlineData("/Foo", "Prefix", "/foo", false)]
    [InlineData("/exact", "Exact", "/exact", true)]
    [InlineData("/exact", "Exact", "/exact/", false)]
    public void Matches_paths_as_Kubernetes_does(string path, string type, string request, bool matches)
    {
        var route = new IngressRoute("ns/ing", null, path, type == "Exact" ? IngressPathType.Exact : IngressPathType.Prefix, null, "c", []);
        Assert.Equal(matches, route.MatchesPath(request));
    }

    [Theory]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("Foo.Example.com", "foo.example.com", true)]
    public void Matches_hosts_with_single_label_wildcards(string host, string request, bool matches) =>
        Assert.Equal(matches, new IngressRoute("ns/ing", host, "/", IngressPathType.Prefix, null, "c", []).MatchesHost(request));

    [Fact]
    public void Rewrites_the_first_match_only_and_keeps_the_path_absolute()
    {
        var rewrite = PathRewrite.FromAnnotations(new Dictionary<string, string> { [PathRewrite.FromAnnotation] = "^/httpbin/?", [PathRewrite.ToAnnotation] = "/" })!;
        Assert.Equal("/get", rewrite.Apply("/httpbin/get"));
        Assert.Equal("/", rewrite.Apply("/httpbin"));
        Assert.Equal("/other/httpbin/x", rewrite.Apply("/other/httpbin/x"));
        Assert.Null(PathRewrite.FromAnnotations(new Dictionary<string, string>()));
        Assert.Throws<System.Text.RegularExpressions.RegexParseException>(() =>
            PathRewrite.FromAnnotations(new Dictionary<string, string> { [PathRewrite.FromAnnotation] = "(", [PathRewrite.ToAnnotation] = "/" }));
    }

    [Theory]
    [InlineData("http://httpbin.httpbin:8080/", "httpbin.httpbin", 8080, "/")]
    [InlineData("http://httpbin.httpbin:8080", "httpbin.httpbin", 8080, "/")]
    [InlineData("http://HTTPBIN.httpbin/get?a=1", "httpbin.httpbin", 80, "/get?a=1")]
    [InlineData("http://httpbin.httpbin?a=1", "httpbin.httpbin", 80, "/?a=1")]
    [InlineData("http://[::1]:81/x#frag", "::1", 81, "/x")]
    [InlineData("http://h.n/a%2Fb", "h.n", 80, "/a%2Fb")]
    public void Parses_absolute_form_targets(string raw, string host, int port, string pathAndQuery)
    {
        var target = ProxyRequestTarget.Parse(raw, out var problem);
        Assert.Null(problem);
        Assert.Equal((host, port, pathAndQuery), (target!.Host, target.Port, target.PathAndQuery));
    }

    [Theory]
    [InlineData("/", "HTTP proxy")]
    [InlineData("https://httpbin.httpbin/", "https://")]
    [InlineData("ftp://x.y/", "scheme")]
    [InlineData("http://:80/", "no host")]
    [InlineData("http://a.b:0/", "port")]
    [InlineData("http://a.b:http/", "port")]
    [InlineData("http://user@a.b/", "user")]
    [InlineData("httpbin.httpbin:8080", "HTTP proxy")]
    public void Refuses_other_targets_with_a_reason(string raw, string reason)
    {
        Assert.Null(ProxyRequestTarget.Parse(raw, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("httpbin.httpbin", "httpbin", "httpbin")]
    [InlineData("httpbin.ns.svc", "ns", "httpbin")]
    [InlineData("httpbin.ns.svc.cluster.local", "ns", "httpbin")]
    [InlineData("httpbin.ns.svc.cluster.local.", "ns", "httpbin")]
    public void Reads_service_names(string host, string ns, string name) =>
        Assert.Equal((ns, name), ServiceHostName.Parse(host, "cluster.local"));

    [Theory]
    [InlineData("httpbin")]
    [InlineData("127.0.0.1")]
    [InlineData("a.b.c")]
    [InlineData("httpbin.ns.svc.other.domain")]
    [InlineData("under_score.ns")]
    public void Refuses_names_that_are_not_services(string host) => Assert.Null(ServiceHostName.Parse(host, "cluster.local"));

    [Fact]
    public void Validates_options()
    {
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
        var gateway = new GatewayOptionsValidator().Validate(null, new GatewayOptions { Listen = "https://0.0.0.0:1", IngressClass = " ", ActivityTimeout = TimeSpan.Zero });
        Assert.Equal(3, gateway.Failures!.Count());

        Assert.True(new ProxyOptionsValidator().Validate(null, new ProxyOptions { ClusterKey = "default/default/default/c1" }).Succeeded);
        var proxy = new ProxyOptionsValidator().Validate(null, new ProxyOptions { Listen = "http://127.0.0.1:1/path", ConnectTimeout = TimeSpan.FromSeconds(-1) });
        Assert.Contains(proxy.Failures!, f => f.StartsWith("Listen", StringComparison.Ordinal));
        Assert.Contains(proxy.Failures!, f => f.StartsWith("ClusterKey", StringComparison.Ordinal));
        Assert.Contains(proxy.Failures!, f => f.StartsWith("ConnectTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Weighs_smoothly()
    {
        var balancer = new SmoothWeightedBalancer();
        var a = new ProxyTarget("a", ProxyTier.Active, 5, [new ProxyAddress("127.0.0.1", 1, "", false)]);
        var b = new ProxyTarget("b", ProxyTier.Active, 1, [new ProxyAddress("127.0.0.2", 1, "", false)]);
        var c = new ProxyTarget("c", ProxyTier.Active, 1, [new ProxyAddress("127.0.0.3", 1, "", false)]);
        var picks = Enumerable.Range(0, 7).Select(_ => balancer.Pick([(a, a.Addresses), (b, b.Addresses), (c, c.Addresses)]).Host).ToList();

        // nginx's smooth sequence for 5:1:1 - never five of a in a row.
        Assert.Equal(["127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.3", "127.0.0.1", "127.0.0.1"], picks);
    }
}
