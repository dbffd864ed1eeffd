using ErieCanal.Orleans.DataPlane.Gateway;
using k8s;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using static ErieCanal.Orleans.DataPlane.Tests.Infrastructure.Objects;

namespace ErieCanal.Orleans.DataPlane.Tests;

public sealed class GatewayTests : MemberContext
{
    private const string Class = GatewayOptions.DefaultIngressClass;

    [Fact]
    public async Task Answers_404_Service_Not_Found_when_no_route_matches_and_ignores_other_classes()
    {
        var pod = await BackendAsync("other-pod");
        await NamespaceAsync(Client, "other");
        await ServiceAsync(Client, "other", "web", 80);
        await SliceAsync(Client, "other", "web", pod);
        await IngressAsync(Client, Ingress("other", "nginx-owned", "nginx", [new IngressPath("/web", "Prefix", "web", 80)]));

        // Give the gateway a route it does serve, so we know it has seen the Ingresses by the time we ask.
        await IngressAsync(Client, Ingress("other", "ours", Class, [new IngressPath("/ours", "Prefix", "web", 80)]));
        await Eventually.Until(async () => (await ViaGatewayAsync("/ours")).Status == 200, "our Ingress routed");

        Assert.Equal((404, MemberGateway.NotFoundBody), await ViaGatewayAsync("/web"));
        Assert.Equal((404, MemberGateway.NotFoundBody), await ViaGatewayAsync("/nothing/here"));
    }

    [Fact]
    public async Task Routes_by_prefix_and_exact_paths_the_longest_winning()
    {
        var app = await BackendAsync("app");
        var admin = await BackendAsync("admin");
        var exact = await BackendAsync("exact");
        await NamespaceAsync(Client, "paths");
        foreach (var pod in new[] { app, admin, exact })
        {
            await ServiceAsync(Client, "paths", pod.Name, 8080);
            await SliceAsync(Client, "paths", pod.Name, pod);
        }

        await IngressAsync(Client, Ingress("paths", "paths", Class,
        [
            new IngressPath("/app", "Prefix", "app", 8080),
            new IngressPath("/app/admin/", "Prefix", "admin", 8080),
            new IngressPath("/app/exact", "Exact", "exact", 8080),
        ]));
        await Eventually.Until(async () => (await ViaGatewayAsync("/app/exact")).Body == "exact\n", "paths routed");

        Assert.Equal((200, "app\n"), await ViaGatewayAsync("/app"));
        Assert.Equal((200, "app\n"), await ViaGatewayAsync("/app/"));
        Assert.Equal((200, "app\n"), await ViaGatewayAsync("/app/x?q=1"));
        Assert.Equal((404, MemberGateway.NotFoundBody), await ViaGatewayAsync("/appx"));
        Assert.Equal((404, MemberGateway.NotFoundBody), await ViaGatewayAsync("/APP"));
        Assert.Equal((200, "admin\n"), await ViaGatewayAsync("/app/admin"));
        Assert.Equal((200, "admin\n"), await ViaGatewayAsync("/app/admin/users"));
        Assert.Equal((200, "exact\n"), await ViaGatewayAsync("/app/exact"));
        Assert.Equal((200, "app\n"), await ViaGatewayAsync("/app/exact/more"));

        // The pod sees the path as sent, and the client's Host.
        Assert.Contains(app.Requests, r => r.PathAndQuery == "/app/x?q=1" && r.Host == Gateway.Address.Authority);
    }

    [Fact]
    public async Task Rewrites_the_path_with_the_pipy_annotations_and_honours_hosts()
    {
        var httpbin = await BackendAsync("httpbin-1");
        var hosted = await BackendAsync("hosted");
        await NamespaceAsync(Client, "httpbin");
        await ServiceAsync(Client, "httpbin", "httpbin", 8080);
        await SliceAsync(Client, "httpbin", "httpbin", httpbin);
        await ServiceAsync(Client, "httpbin", "hosted", 8080);
        await SliceAsync(Client, "httpbin", "hosted", hosted);
        await IngressAsync(Client, Ingress("httpbin", "svcexp-ing-httpbin", Class, [new IngressPath("/httpbin", "Prefix", "httpbin", 8080)],
            new Dictionary<string, string> { [PathRewrite.FromAnnotation] = "^/httpbin/?", [PathRewrite.ToAnnotation] = "/" }));
        await IngressAsync(Client, Ingress("httpbin", "hosted", Class, [new IngressPath("/httpbin", "Prefix", "hosted", 8080)], host: "hosted.example"));
        await Eventually.Until(async () => (await ViaGatewayAsync("/httpbin/get?a=1")).Status == 200, "rewritten route served");

        Assert.Contains(httpbin.Requests, r => r.PathAndQuery == "/get?a=1");
        Assert.Equal((200, "httpbin-1\n"), await ViaGatewayAsync("/httpbin"));
        Assert.Contains(httpbin.Requests, r => r.PathAndQuery == "/");

        // A host rule beats the host-less one for its host only.
        Assert.Equal((200, "hosted\n"), await ViaGatewayAsync("/httpbin/x", host: "hosted.example"));
        Assert.Equal((200, "httpbin-1\n"), await ViaGatewayAsync("/httpbin/x", host: "other.example"));
        Assert.Contains(hosted.Requests, r => r.Host == "hosted.example" && r.PathAndQuery == "/httpbin/x");
    }

    [Fact]
    public async Task Healthz_wins_over_a_catch_all_ingress()
    {
        var pod = await BackendAsync("root");
        await NamespaceAsync(Client, "root");
        await ServiceAsync(Client, "root", "root", 80);
        await SliceAsync(Client, "root", "root", pod);
        await IngressAsync(Client, Ingress("root", "root", Class, [new IngressPath("/", "Prefix", "root", 80)]));
        await Eventually.Until(async () => (await ViaGatewayAsync("/anything")).Body == "root\n", "catch-all routed");

        Assert.Equal((200, "ok"), await ViaGatewayAsync("/healthz"));
        Assert.Equal((200, "ready"), await ViaGatewayAsync("/readyz"));
        Assert.DoesNotContain(pod.Requests, r => r.PathAndQuery == "/healthz");
    }

    [Fact]
    public async Task Reconfigures_live_without_dropping_a_request_in_flight()
    {
        var slow = await BackendAsync("slow");
        var fresh = await BackendAsync("fresh");
        await NamespaceAsync(Client, "live");
        await ServiceAsync(Client, "live", "slow", 80);
        await SliceAsync(Client, "live", "slow", slow);
        await ServiceAsync(Client, "live", "fresh", 80);
        await SliceAsync(Client, "live", "fresh", fresh);
        await IngressAsync(Client, Ingress("live", "live", Class, [new IngressPath("/live", "Prefix", "slow", 80)]));
        await Eventually.Until(async () => (await ViaGatewayAsync("/live/warm")).Body == "slow\n", "first route served");

        slow.Hold();
        var inFlight = ViaGatewayAsync("/live/in-flight");
        await Eventually.Until(() => slow.Requests.Any(r => r.PathAndQuery == "/live/in-flight"), "the slow pod got the request");

        // Move the path to another backend and add one, while the request waits in the old backend.
        var ingress = await Client.NetworkingV1.ReadNamespacedIngressAsync("live", "live");
        ingress.Spec.Rules[0].Http.Paths[0].Backend.Service.Name = "fresh";
        ingress.Spec.Rules[0].Http.Paths.Add(new k8s.Models.V1HTTPIngressPath
        {
            Path = "/added",
            PathType = "Exact",
            Backend = new k8s.Models.V1IngressBackend { Service = new k8s.Models.V1IngressServiceBackend { Name = "fresh", Port = new k8s.Models.V1ServiceBackendPort { Number = 80 } } },
        });
        await Client.NetworkingV1.ReplaceNamespacedIngressAsync(ingress, "live", "live");
        // Probe only the added path: a probe that reached the held pod would wait with the in-flight request.
        await Eventually.Until(async () => (await ViaGatewayAsync("/added")).Body == "fresh\n", "the new route served");
        Assert.Equal((200, "fresh\n"), await ViaGatewayAsync("/live/x"));
        Assert.False(inFlight.IsCompleted);

        slow.Release();
        Assert.Equal((200, "slow\n"), await inFlight);
    }

    [Fact]
    public async Task Balances_over_ready_endpoints_following_readiness_and_scale()
    {
        var a = await BackendAsync("pod-a");
        var b = await BackendAsync("pod-b");
        var c = await BackendAsync("pod-c");
        await NamespaceAsync(Client, "scale");
        await ServiceAsync(Client, "scale", "web", 80, targetPort: 8080);
        await SliceAsync(Client, "scale", "web", a);
        await SliceAsync(Client, "scale", "web", b);
        await IngressAsync(Client, Ingress("scale", "web", Class, [new IngressPath("/web", "Prefix", "web", 80)]));

        async Task<HashSet<string>> AnswersAsync(int n)
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < n; i++)
            {
                var (status, body) = await ViaGatewayAsync("/web");
                seen.Add($"{status}:{body.Trim()}");
            }

            return seen;
        }

        await Eventually.Until(() => AnswersAsync(4), s => s.SetEquals(["200:pod-a", "200:pod-b"]), "round robin over a and b");

        await SetReadyAsync(Client, "scale", "web", b, ready: false);
        await Eventually.Until(() => AnswersAsync(4), s => s.SetEquals(["200:pod-a"]), "only the ready pod a");

        await SliceAsync(Client, "scale", "web", c);
        await Eventually.Until(() => AnswersAsync(4), s => s.SetEquals(["200:pod-a", "200:pod-c"]), "scaled up: a and c");

        await DeleteSliceAsync(Client, "scale", "web", a);
        await DeleteSliceAsync(Client, "scale", "web", c);
        await Eventually.Until(() => AnswersAsync(2), s => s.SetEquals(["503:"]), "no ready endpoint: 503");
    }
}
