using System.Net.Sockets;
using System.Text;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using static ErieCanal.Orleans.DataPlane.Tests.Infrastructure.Objects;

namespace ErieCanal.Orleans.DataPlane.Tests;

public sealed class ProxyTests : MemberContext
{
    private const string Remote1 = "default/default/default/c2";
    private const string Remote2 = "default/default/default/c3";

    [Fact]
    public async Task Keeps_the_Host_and_prepends_the_endpoint_path_for_every_service_name_form()
    {
        var gateway = await BackendAsync("gw-c2");
        await NamespaceAsync(Client, "httpbin");
        await ImportAsync(Client, "httpbin", "httpbin", 8080, new RoutedEndpoint(Remote1, gateway.Ip, gateway.Port, "/httpbin", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://httpbin.httpbin:8080/")).Status == 200, "import routed");

        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/httpbin/" && r.Host == "httpbin.httpbin:8080");
        Assert.Equal((200, "gw-c2\n"), await ViaProxyAsync("http://httpbin.httpbin:8080/get?a=1"));
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/httpbin/get?a=1");
        Assert.Equal(200, (await ViaProxyAsync("http://httpbin.httpbin.svc:8080/svc")).Status);
        Assert.Equal(200, (await ViaProxyAsync("http://httpbin.httpbin.svc.cluster.local:8080/full")).Status);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/httpbin/full" && r.Host == "httpbin.httpbin.svc.cluster.local:8080");

        // Another port of the same name is not routed.
        Assert.Equal((404, "Not found"), await ViaProxyAsync("http://httpbin.httpbin:9090/"));
    }

    [Fact]
    public async Task Routes_origin_form_requests_by_Host_for_every_service_name_form()
    {
        var gateway = await BackendAsync("gw-c2");
        await NamespaceAsync(Client, "httpbin");
        await ImportAsync(Client, "httpbin", "httpbin", 8080, new RoutedEndpoint(Remote1, gateway.Ip, gateway.Port, "/httpbin", 100, "Active"));
        await Eventually.Until(async () => (await RawStatusAsync("GET / HTTP/1.1\r\nHost: httpbin.httpbin:8080\r\n\r\n")).Status == 200, "import routed");

        foreach (var host in new[] { "httpbin.httpbin:8080", "httpbin.httpbin.svc:8080", "httpbin.httpbin.svc.cluster.local:8080", "httpbin.httpbin.svc.clusterset.local:8080", "HTTPBIN.httpbin:8080" })
        {
            Assert.Equal((200, "gw-c2\n"), await RawStatusAsync($"GET /get?a=1 HTTP/1.1\r\nHost: {host}\r\n\r\n"));
            Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/httpbin/get?a=1" && r.Host == host);
        }

        // A Service's own /healthz is the Service's, not the proxy's probe; no port in the Host means port 80.
        Assert.Equal((200, "gw-c2\n"), await RawStatusAsync("GET /healthz HTTP/1.1\r\nHost: httpbin.httpbin:8080\r\n\r\n"));
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/httpbin/healthz");
        Assert.Equal((404, "Not found"), await RawStatusAsync("GET / HTTP/1.1\r\nHost: httpbin.httpbin\r\n\r\n"));

        // The explicit form takes the clusterset name too.
        Assert.Equal(200, (await ViaProxyAsync("http://httpbin.httpbin.svc.clusterset.local:8080/x")).Status);
    }

    [Fact]
    public async Task Spreads_requests_by_weight()
    {
        var light = await BackendAsync("light");
        var heavy = await BackendAsync("heavy");
        await NamespaceAsync(Client, "weights");
        await ImportAsync(Client, "weights", "web", 80,
            new RoutedEndpoint(Remote1, light.Ip, light.Port, "/web", 1, "Active"),
            new RoutedEndpoint(Remote2, heavy.Ip, heavy.Port, "/web", 3, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.weights/")).Status == 200, "import routed");
        var before = (light.Hits, heavy.Hits);

        for (var i = 0; i < 400; i++)
        {
            Assert.Equal(200, (await ViaProxyAsync("http://web.weights/")).Status);
        }

        var lightShare = light.Hits - before.Item1;
        var heavyShare = heavy.Hits - before.Item2;
        Assert.Equal(400, lightShare + heavyShare);
        Assert.InRange(lightShare, 90, 110);
    }

    [Fact]
    public async Task Uses_a_standby_only_when_no_active_endpoint_can_be_reached()
    {
        var active = await BackendAsync("active");
        var standby = await BackendAsync("standby");
        var refusing = Backend.Refusing();
        await NamespaceAsync(Client, "failover");
        await ImportAsync(Client, "failover", "up", 80,
            new RoutedEndpoint(Remote1, active.Ip, active.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, standby.Ip, standby.Port, "", 0, "Standby"));
        await ImportAsync(Client, "failover", "down", 80,
            new RoutedEndpoint(Remote1, refusing.Address.ToString(), refusing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, standby.Ip, standby.Port, "", 0, "Standby"),
            new RoutedEndpoint("default/default/default/c4", active.Ip, active.Port, "", 100, "Unhealthy"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://down.failover/")).Status == 200, "imports routed");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((200, "active\n"), await ViaProxyAsync("http://up.failover/"));
        }

        Assert.DoesNotContain(standby.Requests, r => r.Host == "up.failover");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((200, "standby\n"), await ViaProxyAsync("http://down.failover/"));
        }

        // Never the Unhealthy one.
        Assert.DoesNotContain(active.Requests, r => r.Host == "down.failover");
    }

    [Fact]
    public async Task Retries_a_primarys_5xx_on_the_standby_and_fails_no_idempotent_request()
    {
        // Two endpoints of the primary cluster (as a member's own pods are), one standby elsewhere.
        var primary = await BackendAsync("primary");
        var primary2 = await BackendAsync("primary-2");
        var standby = await BackendAsync("standby");
        await NamespaceAsync(Client, "failover5xx");
        await ImportAsync(Client, "failover5xx", "pay", 80,
            new RoutedEndpoint(Remote1, primary.Ip, primary.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote1, primary2.Ip, primary2.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, standby.Ip, standby.Port, "", 0, "Standby"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://pay.failover5xx/")).Status == 200, "import routed");
        Assert.StartsWith("primary", (await ViaProxyAsync("http://pay.failover5xx/")).Body);

        // The primary cluster's pods all break: every GET is still answered, by the standby (the retry leaves the
        // failing cluster rather than trying its other pod), none fails before the primaries are ejected.
        primary.Status = 503;
        primary2.Status = 503;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((200, "standby\n"), await ViaProxyAsync($"http://pay.failover5xx/{i}"));
        }

        Assert.Contains(primary.Requests.Concat(primary2.Requests), r => r.Host == "pay.failover5xx" && r.PathAndQuery == "/0");
    }

    [Fact]
    public async Task Retries_once_elsewhere_when_refused()
    {
        var live = await BackendAsync("live");
        var refusing = Backend.Refusing();
        await NamespaceAsync(Client, "retry");
        await ImportAsync(Client, "retry", "web", 80,
            new RoutedEndpoint(Remote1, refusing.Address.ToString(), refusing.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, live.Ip, live.Port, "", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.retry/")).Status == 200, "import routed");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "live\n"), await ViaProxyAsync($"http://web.retry/{i}"));
        }

        // POST is not retried, but a refused connection never reached anyone, so the refused endpoint stays skipped
        // while it is marked unreachable; PUT with a body arrives whole.
        Assert.Equal((200, "live\n"), await ViaProxyAsync("http://web.retry/put", HttpMethod.Put, "payload"));
        Assert.Contains(live.Requests, r => r.Method == "PUT" && r.Body == "payload");
    }

    [Fact]
    public async Task Streams_a_slow_body_past_the_per_try_timeout()
    {
        var slow = await BackendAsync("slow-body");
        slow.BodyPause = ProxyOptions.TryTimeout * 2.5;
        var other = await BackendAsync("other");
        await NamespaceAsync(Client, "stream");
        await ImportAsync(Client, "stream", "web", 80,
            new RoutedEndpoint(Remote1, slow.Ip, slow.Port, "", 100, "Active"),
            new RoutedEndpoint(Remote2, other.Ip, other.Port, "", 0, "Standby"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.stream/")).Status == 200, "import routed");

        // The headers came at once, the body only after more than the per-try timeout: one attempt, whole body.
        var hits = (slow.Hits, other.Hits);
        Assert.Equal((200, "slow-body\n"), await ViaProxyAsync("http://web.stream/slow"));
        Assert.Equal((hits.Item1 + 1, hits.Item2), (slow.Hits, other.Hits));
    }

    [Fact]
    public async Task Serves_its_own_clusters_entry_from_local_pods_and_never_a_Service_no_import_names()
    {
        var pod1 = await BackendAsync("local-1");
        var pod2 = await BackendAsync("local-2");
        var ownGateway = Backend.Refusing();
        await NamespaceAsync(Client, "local");
        await ServiceAsync(Client, "local", "web", 8080, targetPort: 80);
        await SliceAsync(Client, "local", "web", pod1);
        await SliceAsync(Client, "local", "web", pod2);
        await ImportAsync(Client, "local", "web", 8080, new RoutedEndpoint(ClusterKey, ownGateway.Address.ToString(), ownGateway.Port, "/web", 100, "Active"));
        await ServiceAsync(Client, "local", "plain", 80);
        await SliceAsync(Client, "local", "plain", pod1.Name + "-plain", pod1.Ip, pod1.Port);

        var seen = await Eventually.Until(
            async () => new[] { await ViaProxyAsync("http://web.local:8080/x"), await ViaProxyAsync("http://web.local:8080/x") }.Select(r => r.Body).ToHashSet(),
            s => s.SetEquals(["local-1\n", "local-2\n"]),
            "both local pods answer");
        Assert.All(pod1.Requests.Concat(pod2.Requests), r => Assert.Equal(("/x", "web.local:8080"), (r.PathAndQuery, r.Host)));

        // A Service of the member that no import names is not reached through the proxy (no way around a NetworkPolicy).
        var (status, body) = await ViaProxyAsync("http://plain.local/p");
        Assert.Equal(404, status);
        Assert.Contains("no ServiceImport in this cluster names plain.local", body, StringComparison.Ordinal);
        Assert.DoesNotContain(pod1.Requests, r => r.PathAndQuery == "/p");
        Assert.StartsWith("Not found: no ServiceImport", (await ViaProxyAsync("http://missing.local/")).Body, StringComparison.Ordinal);
        Assert.StartsWith("Not found: no ServiceImport", (await ViaProxyAsync("http://nohost/")).Body, StringComparison.Ordinal);
        Assert.StartsWith("Not found: no ServiceImport", (await ViaProxyAsync("http://127.0.0.1/")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_with_no_routing_routes_as_its_spec_implies_until_a_routing_says_otherwise()
    {
        // No status.routing: no policy, nothing marked. Locality: this member's own entry, its own pods.
        var local = await BackendAsync("spec-local");
        var remote = await BackendAsync("spec-remote");
        await NamespaceAsync(Client, "byspec");
        await ServiceAsync(Client, "byspec", "web", 8080, targetPort: 80);
        await SliceAsync(Client, "byspec", "web", local);
        await ImportBySpecAsync(Client, "byspec", "web", 8080, ClusterKey, "default/default/default/elsewhere");
        await ImportBySpecAsync(Client, "byspec", "away", 80, "default/default/default/elsewhere");
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.byspec:8080/a")).Body == "spec-local\n", "routed to its own pods by the spec");

        // Only another cluster exports it: with no policy it routes nowhere, as the seed's plain 404 says.
        Assert.Equal((404, "Not found"), await ViaProxyAsync("http://away.byspec/"));

        // A routing (a policy applies) takes over; removed, the spec's default is back.
        await ImportAsync(Client, "byspec", "web", 8080, new RoutedEndpoint("default/default/default/elsewhere", remote.Ip, remote.Port, "/web", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.byspec:8080/b")).Body == "spec-remote\n", "routed by status.routing");
        await RemoveRoutingAsync(Client, "byspec", "web");
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.byspec:8080/c")).Body == "spec-local\n", "back to the spec's default");
    }

    [Fact]
    public async Task Refuses_CONNECT_https_origin_form_and_malformed_requests_with_a_clear_4xx()
    {
        Assert.Equal((200, "ok"), await RawStatusAsync("GET /healthz HTTP/1.1\r\nHost: proxy\r\n\r\n"));

        // Origin form routes by Host (transparent); a Host that names no Service gets a 400 that says what would.
        var (status, body) = await RawStatusAsync("GET / HTTP/1.1\r\nHost: httpbin.httpbin:8080\r\n\r\n");
        Assert.Equal(404, status);
        Assert.StartsWith("Not found: no ServiceImport", body, StringComparison.Ordinal);
        (status, body) = await RawStatusAsync("GET / HTTP/1.1\r\nHost: httpbin\r\n\r\n");
        Assert.Equal(400, status);
        Assert.Contains("bare Service name", body, StringComparison.Ordinal);
        Assert.Contains("httpbin.<namespace>", body, StringComparison.Ordinal);
        (status, body) = await RawStatusAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
        Assert.Equal(400, status);
        Assert.Contains("names no Service", body, StringComparison.Ordinal);
        Assert.Contains("curl -x", body, StringComparison.Ordinal);

        (status, body) = await RawStatusAsync("CONNECT httpbin.httpbin:443 HTTP/1.1\r\nHost: httpbin.httpbin:443\r\n\r\n");
        Assert.Equal(405, status);
        Assert.Contains("CONNECT", body, StringComparison.Ordinal);

        (status, body) = await RawStatusAsync("GET https://httpbin.httpbin/ HTTP/1.1\r\nHost: httpbin.httpbin\r\n\r\n");
        Assert.Equal(400, status);
        Assert.Contains("https://", body, StringComparison.Ordinal);

        (status, body) = await RawStatusAsync("GET ftp://httpbin.httpbin/ HTTP/1.1\r\nHost: httpbin.httpbin\r\n\r\n");
        Assert.Equal(400, status);

        (status, _) = await RawStatusAsync("GET http://httpbin.httpbin:99999/ HTTP/1.1\r\nHost: httpbin.httpbin:99999\r\n\r\n");
        Assert.Equal(400, status);

        (status, _) = await RawStatusAsync("OPTIONS * HTTP/1.1\r\nHost: proxy\r\n\r\n");
        Assert.Equal(400, status);

        (status, _) = await RawStatusAsync("HELLO THERE\r\n\r\n");
        Assert.Equal(400, status);

        // The proxy is still serving after all that.
        Assert.Equal(404, (await ViaProxyAsync("http://nothing.nowhere/")).Status);
    }

    [Fact]
    public async Task Keeps_routing_from_its_cache_while_the_members_API_server_is_down()
    {
        var remote = await BackendAsync("remote");
        await NamespaceAsync(Client, "offline");
        await ImportAsync(Client, "offline", "web", 80, new RoutedEndpoint(Remote1, remote.Ip, remote.Port, "", 100, "Active"));
        await Eventually.Until(async () => (await ViaProxyAsync("http://web.offline/")).Status == 200, "import routed");

        // No silo exists in this test at all; now the member's API server goes away too.
        await Sandbox[Member].GoOfflineAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((200, "remote\n"), await ViaProxyAsync("http://web.offline/"));
        }
    }

    [Fact]
    public async Task Carries_a_request_through_the_gateway_of_the_exporting_member()
    {
        var pod = await BackendAsync("httpbin-pod");
        await NamespaceAsync(Client, "e2e");
        await ServiceAsync(Client, "e2e", "httpbin", 8080);
        await SliceAsync(Client, "e2e", "httpbin", pod);
        await IngressAsync(Client, Ingress("e2e", "svcexp-ing-httpbin", GatewayOptions.DefaultIngressClass, [new IngressPath("/e2e/httpbin", "Prefix", "httpbin", 8080)],
            new Dictionary<string, string> { [PathRewrite.FromAnnotation] = "^/e2e/httpbin/?", [PathRewrite.ToAnnotation] = "/" }));
        await ImportAsync(Client, "e2e", "httpbin", 8080, new RoutedEndpoint(Remote1, "127.0.0.1", Gateway.EndPoint.Port, "/e2e/httpbin", 100, "Active"));

        await Eventually.Until(async () => (await ViaProxyAsync("http://httpbin.e2e:8080/get?x=1")).Body == "httpbin-pod\n", "proxy -> gateway -> pod");
        Assert.Contains(pod.Requests, r => r.PathAndQuery == "/get?x=1" && r.Host == "httpbin.e2e:8080");
    }

    private async Task<(int Status, string Body)> RawStatusAsync(string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(Proxy.EndPoint);
        var stream = socket.GetStream();
        // Connection: close makes the server end the exchange after its answer (a half-close would abort it).
        var closing = request.EndsWith("\r\n\r\n", StringComparison.Ordinal) && request.Contains("HTTP/1.1", StringComparison.Ordinal)
            ? request[..^2] + "Connection: close\r\n\r\n"
            : request;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(closing));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = split < 0 ? "" : text[(split + 4)..];
        if (text.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return (status, body);
    }

    private static string Dechunk(string chunked)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var size = Convert.ToInt32(chunked[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            result.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }
}
