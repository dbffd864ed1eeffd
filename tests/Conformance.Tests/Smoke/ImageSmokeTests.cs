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
        // No MCS here: the driver's set-up without the export is the suite's namespace, hello and request pod.
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
    public async Task The_request_pod_resolves_the_hello_service_and_reaches_the_hello_pod_over_tcp()
    {
        var cluster = _driver.Clients[0];
        try
        {
            await _driver.SetUpAsync();
            var clusterIp = _driver.HelloService["spec"]!["clusterIP"]!.GetValue<string>();

            // The suite's cluster.local lookup (clusterip_service_dns.go), trailing dot and all.
            await _driver.AwaitCmdOutputContainsAsync(cluster, ["sh", "-c", $"nslookup -type=A hello.{_driver.Namespace}.svc.cluster.local."], clusterIp, 1);

            var podIp = await _driver.AwaitServicePodIpAsync(cluster);
            await Gomega.Eventually(
                async () => Assert.Equal("Running", (await HelloPodAsync(cluster))["status"]?["phase"]?.GetValue<string>()),
                TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), "hello pod Running");

            // The suite's nc (ncCommand's IPv4 form), to the pod itself; socat answers with MY_POD_IPS' first address.
            await _driver.AwaitCmdOutputContainsAsync(cluster, ["sh", "-c", $"echo hi | nc -v -w 2 -4 {podIp} 42 2>&1"], $"pod ip {podIp}", 1);
        }
        finally
        {
            await _driver.CleanUpAsync();
        }
    }

    private async Task<JsonObject> HelloPodAsync(ClusterClient cluster) =>
        (await cluster.ListAsync("pods", _driver.Namespace, "app=" + HelloObjects.HelloServiceName)).Single();
}
