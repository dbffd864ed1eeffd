using ErieCanal.Orleans.Conformance.Tests.Harness;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Seed;

/// <summary>
/// The seed walkthrough with its curl pod as a real container (curl built from Debian's packages), its spec the
/// seed's: no proxy setting. The container's resolver asks the cluster DNS for <c>httpbin.httpbin</c>, gets the
/// same-name Service's ClusterIP, the sandbox's kube-proxy carries the connection to the member's client-side proxy
/// (its listener for that port), which routes by Host to another member's gateway and a pod.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class SeedCurlContainerTests(ConformanceSystem system)
{
    [Fact]
    public async Task The_seeds_plain_curl_pod_reaches_httpbin_of_the_other_clusters_by_name()
    {
        var (c1, c2, c3) = (system.Clients[0], system.Clients[1], system.Clients[2]);
        try
        {
            (await c1.RunAsync("apply", "-f", RepoPaths.Seed("01-httpbin.yaml"))).AssertSuccess();
            (await c3.RunAsync("apply", "-f", RepoPaths.Seed("01-httpbin.yaml"))).AssertSuccess();
            (await c2.RunAsync("apply", "-f", RepoPaths.Seed("03-curl.yaml"))).AssertSuccess();
            (await c2.RunWithInputAsync("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: httpbin\n", "apply", "-f", "-")).AssertSuccess();
            foreach (var client in system.Clients)
            {
                (await client.RunAsync("apply", "-f", RepoPaths.Seed("02-serviceexport.yaml"))).AssertSuccess();
            }

            (await c2.RunAsync("apply", "-f", RepoPaths.Seed("04-globaltrafficpolicy.yaml"))).AssertSuccess();
            var pods1 = await PodNamesAsync(c1);
            var pods3 = await PodNamesAsync(c3);
            var curlPod = (await Eventually.Until(
                () => c2.RunAsync("get", "po", "-n", "curl", "-l", "app=curl", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}"),
                r => r.Succeeded && r.Stdout.Trim().Length > 0, "the seed's curl pod Running", TimeSpan.FromMinutes(3))).Stdout.Trim();

            // A real container (runc), not the sandbox's simulated curl.
            var containerId = (await c2.RunAsync("get", "po", curlPod, "-n", "curl", "-o", "jsonpath={.status.containerStatuses[0].containerID}")).AssertSuccess().Stdout.Trim();
            Assert.StartsWith("runc://", containerId, StringComparison.Ordinal);

            // The seed's command, unchanged, in the real container; answers from pods of cluster-1 and cluster-3.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await Eventually.Until(async () =>
            {
                var result = await c2.RunAsync("exec", curlPod, "-n", "curl", "-c", "curl", "--", "curl", "-s", "http://httpbin.httpbin:8080");
                var answer = result.Stdout.Trim();
                if (result.ExitCode == 0 && (pods1.Contains(answer) || pods3.Contains(answer)))
                {
                    seen.Add(pods1.Contains(answer) ? "cluster-1" : "cluster-3");
                }

                return seen.Count;
            }, n => n == 2, "httpbin answered from pods of cluster-1 and cluster-3 through the real curl container", TimeSpan.FromMinutes(3));

            // The container really resolved the name through the cluster DNS to the same-name Service's ClusterIP.
            var clusterIp = (await c2.RunAsync("get", "svc", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.clusterIP}")).AssertSuccess().Stdout.Trim();
            var remote = await c2.RunAsync("exec", curlPod, "-n", "curl", "-c", "curl", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{remote_ip}", "http://httpbin.httpbin:8080");
            Assert.Equal(clusterIp, remote.Stdout.Trim());
        }
        finally
        {
            foreach (var client in system.Clients)
            {
                await client.RunAsync("delete", "namespace", "httpbin", "curl", "--ignore-not-found", "--wait=false");
            }
        }
    }

    private static async Task<HashSet<string>> PodNamesAsync(ClusterClient client)
    {
        var pods = await Eventually.Until(
            () => client.RunAsync("get", "po", "-n", "httpbin", "-l", "app=pipy", "-o", "jsonpath={.items[*].metadata.name}"),
            r => r.Succeeded && r.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 2, $"two httpbin pods in {client.Name}", TimeSpan.FromMinutes(3));
        return [.. pods.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }
}
