using System.Text.Json.Nodes;
using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Hosting;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Smoke;

/// <summary>
/// The two conformance images do what the suite asks of them, in one plain sandbox cluster with its network served:
/// the request pod's nslookup (BIND's) finds a Service by its cluster.local name, and its nc reaches the hello pod's
/// socat listener, which answers with the pod's IP.
/// </summary>
public sealed class ImageSmokeTests(ConformanceImages images) : IClassFixture<ConformanceImages>, IAsyncLifetime
{
    private const string ClusterName = "smoke";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcs-conformance-smoke-").FullName;
    private SandboxHost? _host;
    private TestDriver _driver = null!;

    public async Task InitializeAsync()
    {
        if (Runc.Unavailable() is { } why)
        {
            throw new InvalidOperationException($"the image smoke test cannot run here: {why}");
        }

        _host = await SandboxHost.StartAsync([ClusterName], new SandboxClusterOptions
        {
            Images = images.All.Select(i => new GivenImage(i.Reference, i.ArchivePath)).ToList(),
            ImageCacheDirectory = Path.Combine(_directory, "images"),
            ServeClusterNetwork = true,
            PodReadyDelay = TimeSpan.FromMilliseconds(100),
        });
        var kubeconfig = _host.WriteKubeconfigs(Path.Combine(_directory, "kubeconfigs"))[""];
        // No MCS here: only the driver's objects and helpers (request pod, pod IP, command output) are used.
        _driver = new TestDriver([new ClusterClient(ClusterName, kubeconfig, _directory)]) { AutoExportService = false };
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void The_images_carry_the_suite_names()
    {
        Assert.Equal(HelloObjects.NetshootImage, images.Netshoot.Reference);
        Assert.Equal(HelloObjects.SocatImage, images.Socat.Reference);
    }

    [Fact]
    public async Task The_request_pod_reaches_the_hello_pod_over_tcp_and_resolves_the_hello_service()
    {
        var cluster = _driver.Clients[0];
        var ns = _driver.Namespace;
        try
        {
            // The driver's set-up in its parts. (Pods share the host's network namespace here; the sandbox's bind
            // shim makes socat's bind of 0.0.0.0:42 one of the pod IP, so the Service's cluster IP port 42 is free.)
            await cluster.CreateAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } }, null);
            await cluster.CreateAsync(HelloObjects.Deployment(), ns);
            await _driver.StartRequestPodAsync(cluster);
            var podIp = await _driver.AwaitServicePodIpAsync(cluster);

            // The suite's nc (ncCommand's IPv4 form), to the pod itself; socat answers with MY_POD_IPS' first address.
            try
            {
                await _driver.AwaitCmdOutputContainsAsync(cluster, ["sh", "-c", $"echo hi | nc -v -w 2 -4 {podIp} 42 2>&1"], $"pod ip {podIp}", 1);
            }
            catch (ConformanceTimeoutException ex)
            {
                // What the listener said is what explains a refused connection.
                var logs = await cluster.RunAsync("logs", "-n", ns, "-l", "app=" + HelloObjects.HelloServiceName, "--all-containers", "--prefix", "--tail=40");
                throw new ConformanceTimeoutException($"{ex.Message}\nhello pod logs:\n{logs.Stdout}{logs.Stderr}", ex);
            }

            // The suite's cluster.local lookup (clusterip_service_dns.go), trailing dot and all.
            var service = await cluster.CreateAsync(HelloObjects.Service(), ns);
            var clusterIp = service["spec"]!["clusterIP"]!.GetValue<string>();
            await _driver.AwaitCmdOutputContainsAsync(cluster, ["sh", "-c", $"nslookup -type=A hello.{ns}.svc.cluster.local."], clusterIp, 1);
        }
        finally
        {
            await _driver.CleanUpAsync();
        }
    }
}
