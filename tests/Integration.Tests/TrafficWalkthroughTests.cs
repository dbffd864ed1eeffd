using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The seed's ending, played as a user would: the real kubectl execs curl in cluster-2's curl pod, the request goes
/// through cluster-2's client-side proxy, the exporting member's gateway address and our YARP gateway, to httpbin
/// pods answering their names over real sockets. Own sandbox: these tests scale and delete the seed's workloads.
/// </summary>
public sealed class TrafficWalkthroughTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>, IDisposable
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster3 = "default/default/default/cluster-3";
    private const string SeedCurl = "http://httpbin.httpbin:8080";

    // The member's client-side proxy as its Service names it (the embedded default publishes it as the chart does).
    private const string ExplicitProxy = "http://erie-canal-orleans-proxy.erie-canal-system:8080";

    private readonly string _work = Directory.CreateTempSubdirectory("erie-canal-kubectl-").FullName;

    [Fact]
    public async Task Seed_curl_answers_Not_found_then_pods_of_cluster_1_and_3_following_scale_and_withdrawal()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        await Manifests.ApplyAsync(c1, Manifests.Seed("01-httpbin.yaml"));
        await Manifests.ApplyAsync(c3, Manifests.Seed("01-httpbin.yaml"));
        await EnsureCurlAsync(c2);
        await Manifests.ApplyAsync(c2, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: httpbin\n");
        foreach (var member in new[] { c1, c2, c3 })
        {
            await Manifests.ApplyAsync(member, Manifests.Seed("02-serviceexport.yaml"));
        }

        await Eventually.Until(() => Manifests.GetImportAsync(c2, "httpbin", "httpbin"),
            i => Manifests.EndpointClusters(i).SequenceEqual([Cluster1, Cluster3]), "httpbin imported into cluster-2 from cluster-1 and cluster-3");
        foreach (var exporter in new[] { c1, c3 })
        {
            var ingress = await Eventually.Until(() => exporter.NetworkingV1.ListNamespacedIngressAsync("httpbin"),
                l => l.Items.Any(i => i.Metadata.Name == "svcexp-ing-httpbin"), "the export's Ingress written");
            Assert.Equal("/httpbin", ingress.Items.Single().Spec.Rules.Single().Http.Paths.Single().Path);
        }

        // The seed's first curl: no policy is Locality, and cluster-2 runs no httpbin.
        var kubectl = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-2"], _work);
        var curlPod = await CurlPodAsync(kubectl);
        var first = await kubectl.RunAsync("exec", "-it", curlPod, "-n", "curl", "-c", "curl", "--", "curl", "-s", SeedCurl);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("Not found", first.Stdout.Trim());

        // The seed's ActiveActive policy: answers come from httpbin pods of cluster-1 and cluster-3.
        await Manifests.ApplyAsync(c2, Manifests.Seed("04-globaltrafficpolicy.yaml"));
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "httpbin", "httpbin"),
            i => i?.Status?.Routing?["activeEndpoints"]?.GetValue<int>() == 2, "cluster-2 routes ActiveActive to both exporters");
        var pods1 = await PodNamesAsync(c1, "httpbin", "app=pipy");
        var pods3 = await PodNamesAsync(c3, "httpbin", "app=pipy");
        Assert.Equal(2, pods1.Count);
        Assert.Equal(2, pods3.Count);
        await Eventually.Until(() => CurlAsync(kubectl, curlPod, SeedCurl), a => pods1.Contains(a) || pods3.Contains(a), "the proxy follows the new routing");
        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await CurlAsync(kubectl, curlPod, SeedCurl));
        }

        Assert.All(answers, a => Assert.True(pods1.Contains(a) || pods3.Contains(a), $"'{a}' is not an httpbin pod of cluster-1 or cluster-3"));

        // The path, with the seed's curl pod unchanged (no proxy setting): cluster DNS gives the same-name Service's
        // ClusterIP, whose only endpoints are the member's client-side proxy, which sends to another member's gateway.
        var sameName = await c2.CoreV1.ReadNamespacedServiceAsync("httpbin", "httpbin");
        Assert.Equal("erie-canal-orleans", sameName.Metadata.Labels["app.kubernetes.io/managed-by"]);
        var viaIp = await kubectl.RunAsync("exec", curlPod, "-n", "curl", "-c", "curl", "--", "curl", "-s", "-w", " %{remote_ip}", SeedCurl);
        Assert.True(viaIp.ExitCode == 0, viaIp.ToString());
        Assert.Equal(sameName.Spec.ClusterIP, viaIp.Stdout.Trim().Split(' ')[^1]);
        var proxySlice = await c2.DiscoveryV1.ReadNamespacedEndpointSliceAsync("httpbin-proxy", "httpbin");
        var proxyAddress = fixture.Environment.Sandbox["cluster-2"].ClientProxy!;
        Assert.Equal([proxyAddress.Host], proxySlice.Endpoints.SelectMany(e => e.Addresses));
        // The clusterset name works the same way: the member's clusterset.local DNS (the cluster DNS's stub zone)
        // answers a flomesh.io import by its same-name Service's ClusterIP.
        var clusterset = await Eventually.Until(
            () => kubectl.RunAsync("exec", curlPod, "-n", "curl", "-c", "curl", "--", "curl", "-s", "-w", " %{remote_ip}", "http://httpbin.httpbin.svc.clusterset.local:8080"),
            r => r.ExitCode == 0 && r.Stdout.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is [var pod, _] && (pods1.Contains(pod) || pods3.Contains(pod)), "httpbin.httpbin.svc.clusterset.local answered by an httpbin pod of cluster-1 or cluster-3");
        Assert.Equal(sameName.Spec.ClusterIP, clusterset.Stdout.Trim().Split(' ')[^1]);

        var before = await ProxyRequestsAsync(proxyAddress);
        await CurlManyAsync(kubectl, curlPod, SeedCurl, 4);
        Assert.Equal(before + 4, await ProxyRequestsAsync(proxyAddress));
        Assert.Contains(answers, pods1.Contains);
        Assert.Contains(answers, pods3.Contains);

        // kubectl scale in cluster-3: the new pod answers too.
        var kubectl3 = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-3"], _work);
        (await kubectl3.RunAsync("scale", "deployment/httpbin", "-n", "httpbin", "--replicas=3")).AssertSuccess();
        var scaled3 = await Eventually.Until(() => PodNamesAsync(c3, "httpbin", "app=pipy"), p => p.Count == 3, "cluster-3 runs three httpbin pods");
        var added = scaled3.Except(pods3).Single();
        await Eventually.Until(() => CurlAsync(kubectl, curlPod, SeedCurl), a => a == added, $"the new pod {added} answers");

        // Withdrawing cluster-1's export leaves only cluster-3's pods answering.
        var kubectl1 = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-1"], _work);
        (await kubectl1.RunAsync("delete", "sexp", "httpbin", "-n", "httpbin")).AssertSuccess();
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "httpbin", "httpbin"),
            i => Manifests.EndpointClusters(i).SequenceEqual([Cluster3]), "only cluster-3 endpoints remain in cluster-2");
        await Eventually.Until(async () => (await c1.NetworkingV1.ListNamespacedIngressAsync("httpbin")).Items.Count == 0, "cluster-1's Ingress removed with its export");
        var after = await Eventually.Until(() => CurlManyAsync(kubectl, curlPod, SeedCurl, 8), batch => batch.All(scaled3.Contains), "every answer from cluster-3");
        Assert.DoesNotContain(after, pods1.Contains);
    }

    [Fact]
    public async Task FailOver_uses_local_pods_while_they_exist_and_the_standby_when_scaled_to_zero()
    {
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        const string ns = "failover-web";
        foreach (var member in new[] { c2, c3 })
        {
            await Workloads.DeployAsync(member, ns, "web", replicas: 2);
            await Workloads.ExportAsync(member, ns, "web", portNumber: 8080);
        }

        await EnsureCurlAsync(c2);
        await Workloads.ApplyPolicyAsync(c2, ns, "web", LbTypes.FailOver, (Cluster3, null));
        await Eventually.Until(() => Manifests.GetImportAsync(c2, ns, "web"),
            i => i?.Status?.Routing?["lbType"]?.GetValue<string>() == LbTypes.FailOver && i.Status.Routing["activeEndpoints"]?.GetValue<int>() == 1,
            "cluster-2 routes FailOver: local active, cluster-3 standby");

        var kubectl = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-2"], _work);
        var curlPod = await CurlPodAsync(kubectl);

        // cluster-2 has a web Service of its own, which wins over the import's name: plain Kubernetes sends the pod to
        // the local pods only. Failing over to another cluster's pods is the proxy's job, so the client names it
        // (explicit mode, as a sidecar's http_proxy would).
        var url = $"-x {ExplicitProxy} http://web.{ns}:8080";
        var local = await PodNamesAsync(c2, ns, "app=web");
        var remote = await PodNamesAsync(c3, ns, "app=web");
        var answers = await Eventually.Until(() => CurlManyAsync(kubectl, curlPod, url, 6), b => b.All(local.Contains), "local pods answer");
        Assert.DoesNotContain(answers, remote.Contains);

        // Scaled to zero locally: the standby in cluster-3 answers.
        var kubectl2 = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-2"], _work);
        (await kubectl2.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=0")).AssertSuccess();
        await Eventually.Until(() => CurlManyAsync(kubectl, curlPod, url, 6), b => b.All(remote.Contains), "cluster-3's standby pods answer");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The seed's curl client in cluster-2, once for both tests (whichever runs first creates it).</summary>
    private static async Task EnsureCurlAsync(IKubernetes c2)
    {
        if ((await c2.AppsV1.ListNamespacedDeploymentAsync("curl")).Items.Count == 0)
        {
            await Manifests.ApplyAsync(c2, Manifests.Seed("03-curl.yaml"));
        }
    }

    private static async Task<string> CurlPodAsync(KubectlRunner kubectl)
    {
        var result = await kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim().Length > 0,
            "get", "po", "-n", "curl", "-l", "app=curl", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}");
        return result.Stdout.Trim();
    }

    private static async Task<string> CurlAsync(KubectlRunner kubectl, string pod, string url)
    {
        var result = await kubectl.RunAsync(["exec", pod, "-n", "curl", "-c", "curl", "--", "curl", "-s", .. url.Split(' ')]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    private static async Task<List<string>> CurlManyAsync(KubectlRunner kubectl, string pod, string url, int count)
    {
        var answers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            answers.Add(await CurlAsync(kubectl, pod, url));
        }

        return answers;
    }

    // Attempts cluster-2's proxy sent to other members for httpbin (its /metrics; nothing but clients goes through it).
    private static async Task<double> ProxyRequestsAsync(Uri proxy)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(proxy, "/metrics"));
        return text.Split('\n').Where(l => l.StartsWith("eriecanal_dataplane_requests_total{", StringComparison.Ordinal) && l.Contains("component=\"proxy\"", StringComparison.Ordinal)
                && l.Contains("member=\"cluster-2\"", StringComparison.Ordinal) && l.Contains("httpbin.httpbin:8080", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<HashSet<string>> PodNamesAsync(IKubernetes client, string ns, string selector) =>
        (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items
            .Where(p => p.Metadata.DeletionTimestamp is null)
            .Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
}
