using System.Text;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>
/// The member runs no client-side proxy: curl in the pod resolves Service names through cluster DNS and reaches a
/// ready endpoint as kube-proxy would. The endpoints point at a test-owned server on a loopback address.
/// </summary>
public sealed class KubectlExecClusterNetworkTests(CurlPodFixture fixture) : IClassFixture<CurlPodFixture>
{
    [Fact]
    public async Task Service_names_resolve_in_every_form_to_a_ready_endpoint()
    {
        await ServeAsync("backend", "echo");

        foreach (var host in new[] { "echo.backend", "echo.backend.svc", "echo.backend.svc.cluster.local" })
        {
            var result = (await fixture.ExecAsync("curl", "-s", $"http://{host}/hello")).AssertSuccess();

            // The request reached the endpoint (pod IP and target port) with the Host the client used.
            Assert.Equal($"GET /hello host={host}", result.Stdout);
        }

        // A short name is relative to the pod's own namespace.
        await ServeAsync("curl", "neighbour");
        Assert.Equal("GET /near host=neighbour", (await fixture.ExecAsync("curl", "-s", "http://neighbour/near")).AssertSuccess().Stdout);
        var notHere = await fixture.ExecAsync("curl", "-sS", "http://echo/hello");
        Assert.True(notHere.ExitCode == 6, $"exit {notHere.ExitCode}, stdout '{notHere.Stdout}', stderr '{notHere.Stderr}'");
        Assert.Contains("curl: (6) Could not resolve host: echo", notHere.Stderr);
    }

    [Fact]
    public async Task A_member_proxy_is_used_only_when_the_container_is_told_so()
    {
        await ServeAsync("told", "echo");

        // The member has a client-side proxy, but the seed's container has no proxy setting: straight to the Service.
        fixture.Cluster.ClientProxy = new Uri("http://127.0.0.1:9");
        try
        {
            Assert.Equal("GET /plain host=echo.told", (await fixture.ExecAsync("curl", "-s", "http://echo.told/plain")).AssertSuccess().Stdout);
        }
        finally
        {
            fixture.Cluster.ClientProxy = null;
        }

        // -x sends through the named proxy (found by cluster DNS as any host), in absolute form; --noproxy overrides it.
        var proxied = (await fixture.ExecAsync("curl", "-s", "-x", "http://echo.told:80", "http://anything.example/through")).AssertSuccess();
        Assert.StartsWith("GET http://anything.example/through host=", proxied.Stdout, StringComparison.Ordinal);
        var bypassed = (await fixture.ExecAsync("curl", "-s", "-x", "http://127.0.0.1:9", "--noproxy", "told", "http://echo.told/bypass")).AssertSuccess();
        Assert.Equal("GET /bypass host=echo.told", bypassed.Stdout);
    }

    [Fact]
    public async Task The_service_cluster_ip_leads_to_the_endpoint_too()
    {
        await ServeAsync("by-ip", "echo");
        var clusterIp = (await fixture.Kubectl.RunAsync("get", "service", "echo", "-n", "by-ip", "-o", "jsonpath={.spec.clusterIP}")).AssertSuccess().Stdout.Trim();

        var result = (await fixture.ExecAsync("curl", "-s", "-w", " %{remote_ip}", $"http://{clusterIp}/direct")).AssertSuccess();

        Assert.Equal($"GET /direct host={clusterIp} {clusterIp}", result.Stdout);
    }

    [Fact]
    public async Task Unresolvable_unreachable_and_off_machine_hosts_fail_as_curl_does()
    {
        var unknown = await fixture.ExecAsync("curl", "-sS", "http://nothing.nowhere:8080");
        Assert.Equal(6, unknown.ExitCode);
        Assert.Contains("curl: (6) Could not resolve host: nothing.nowhere", unknown.Stderr);

        // A Service without ready endpoints: kube-proxy rejects the connection.
        (await fixture.Kubectl.RunWithInputAsync(Service("empty", "lonely"), "apply", "-f", "-")).AssertSuccess();
        var refused = await fixture.ExecAsync("curl", "-sS", "http://lonely.empty");
        Assert.Equal(7, refused.ExitCode);
        Assert.Matches(@"curl: \(7\) Failed to connect to lonely\.empty port 80 after \d+ ms: Couldn't connect to server", refused.Stderr);

        // Never off this machine: a routable address is not connected to.
        var outside = await fixture.ExecAsync("curl", "-sS", "--connect-timeout", "1", "http://10.11.12.13:8080");
        Assert.Equal(7, outside.ExitCode);
        Assert.Contains("curl: (7) Failed to connect to 10.11.12.13 port 8080", outside.Stderr);

        // Silent without -S: only the exit code tells.
        var quiet = await fixture.ExecAsync("curl", "-s", "http://nothing.nowhere:8080");
        Assert.Equal(6, quiet.ExitCode);
        Assert.DoesNotContain("curl: (6)", quiet.Stderr);
    }

    [Fact]
    public async Task With_a_tty_errors_share_stdout_and_newlines_become_crlf()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(fixture.Cluster.Kubeconfig()));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        string? output = null;

        var exitCode = await client.NamespacedPodExecAsync(fixture.CurlPod, "curl", "curl", ["curl", "-sS", "http://127.0.0.1:1/"], true,
            async (_, stdout, _) => output = await new StreamReader(stdout).ReadToEndAsync(), CancellationToken.None);

        Assert.Equal(7, exitCode);
        Assert.Matches(@"^curl: \(7\) Failed to connect to 127\.0\.0\.1 port 1 after \d+ ms: Couldn't connect to server\r\n$", output);
    }


    /// <summary>A Service in <paramref name="ns"/> without a selector whose Endpoints name the test's server.</summary>
    private async Task ServeAsync(string ns, string name)
    {
        var endpoints = $"""
            ---
            apiVersion: v1
            kind: Endpoints
            metadata:
              name: {name}
              namespace: {ns}
            subsets:
              - addresses:
                  - ip: {fixture.Server.Address}
                ports:
                  - name: http
                    port: {fixture.Server.Port}
            """;
        (await fixture.Kubectl.RunWithInputAsync(Service(ns, name) + endpoints, "apply", "-f", "-")).AssertSuccess();
    }

    private static string Service(string ns, string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          ports:
            - name: http
              port: 80
              targetPort: 8080

        """;
}
