using System.Diagnostics;
using System.Net;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.TestSupport.Kubectl;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The container image as deploy/image/build.sh makes it: a valid OCI archive named as the chart pulls it, labelled,
/// running as app (1654) with both apps and no sandbox; and run by runc as a pod runs it under the chart (read-only
/// root, tmpfs /tmp, no capabilities), the data plane and the silo start, serve /healthz and stop on SIGTERM.
/// </summary>
public sealed class ImageTests(UnpackedImageFixture image) : IClassFixture<UnpackedImageFixture>
{
    private const string DataPlaneDll = "/app/dataplane/ErieCanal.Orleans.DataPlane.dll";
    private const string KubeconfigPath = "/etc/erie-canal/kubeconfig";
    private static readonly TimeSpan StartBound = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_archive_is_an_OCI_layout_named_as_the_chart_pulls_it_with_its_labels()
    {
        var archive = image.Archive;
        var appVersion = ChartAppVersion();

        Assert.Equal("1.0.0", archive.LayoutFile["imageLayoutVersion"]?.GetValue<string>());
        Assert.Equal($"ghcr.io/erie-canal/erie-canal-orleans:{appVersion}", image.Image.Reference);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", archive.Manifest["mediaType"]?.GetValue<string>());
        Assert.Equal("application/vnd.oci.image.config.v1+json", archive.Manifest["config"]?["mediaType"]?.GetValue<string>());
        Assert.NotEmpty(archive.Layers);
        Assert.Equal("linux", archive.Config["os"]?.GetValue<string>());

        var labels = archive.Labels;
        Assert.Equal("erie-canal-orleans", labels["org.opencontainers.image.title"]);
        Assert.Equal(appVersion, labels["org.opencontainers.image.version"]);
        Assert.StartsWith(await GitHeadAsync(), labels["org.opencontainers.image.revision"], StringComparison.Ordinal);
        Assert.StartsWith("https://", labels["org.opencontainers.image.source"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.description"]));
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.licenses"]));
    }

    [Fact]
    public void The_image_runs_as_app_1654_and_holds_both_apps_and_no_sandbox()
    {
        var config = image.Archive.ImageConfig;
        Assert.Equal("1654:1654", config["User"]?.GetValue<string>());
        Assert.Equal(["dotnet", "/app/silo/ErieCanal.Orleans.Silo.dll"], config["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Contains(File.ReadAllLines(Path.Combine(image.Rootfs, "etc", "passwd")), l => l.StartsWith("app:x:1654:1654:", StringComparison.Ordinal));

        var paths = image.Archive.Paths().ToList();
        Assert.Contains("app/silo/ErieCanal.Orleans.Silo.dll", paths);
        Assert.Contains(DataPlaneDll[1..], paths);
        Assert.DoesNotContain(paths, p => p.Contains("ErieCanal.Orleans.Sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_data_plane_without_a_role_exits_with_its_usage()
    {
        await using var container = RuncContainer.Start(image.Rootfs, image.Archive.ImageConfig, ["dotnet", DataPlaneDll], [], new Dictionary<string, string>(), new Dictionary<string, string>());

        var exitCode = await container.WaitForExitAsync(StartBound);

        Assert.True(exitCode == 2, $"the data plane exited {exitCode?.ToString() ?? "not at all"}: {container.Output}");
        Assert.Contains("usage: ErieCanal.Orleans.DataPlane gateway|proxy", container.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_proxy_in_a_read_only_container_serves_healthz_as_1654_and_stops_on_SIGTERM()
    {
        await using var sandbox = await SandboxHost.StartAsync(["cluster-1"]);
        var kubeconfigs = Directory.CreateTempSubdirectory("erie-canal-image-kubeconfigs").FullName;
        try
        {
            var files = sandbox.WriteKubeconfigs(kubeconfigs);
            var port = LocalPorts.Reserve();
            await using var container = RuncContainer.Start(
                image.Rootfs,
                image.Archive.ImageConfig,
                ["dotnet", DataPlaneDll],
                ["proxy", $"--DataPlane:Listen=http://127.0.0.1:{port}", "--DataPlane:ClusterKey=default/default/default/cluster-1", $"--DataPlane:Kubeconfig={KubeconfigPath}"],
                new Dictionary<string, string>(),
                new Dictionary<string, string> { [KubeconfigPath] = files["cluster-1"] });

            await ServesHealthzAsync(container, new Uri($"http://127.0.0.1:{port}/healthz"));
            await RunsAs1654Async(container);
            await StopsOnSigtermAsync(container);
        }
        finally
        {
            Directory.Delete(kubeconfigs, recursive: true);
        }
    }

    [Fact]
    public async Task The_silo_in_a_read_only_container_serves_healthz_and_its_API_as_1654_and_stops_on_SIGTERM()
    {
        await using var sandbox = await SandboxHost.StartAsync(["control-plane"]);
        var kubeconfigs = Directory.CreateTempSubdirectory("erie-canal-image-kubeconfigs").FullName;
        try
        {
            var files = sandbox.WriteKubeconfigs(kubeconfigs);
            var api = LocalPorts.Reserve();
            // The default entry point; memory store (one silo on loopback); every port reserved, the host's loopback being shared.
            await using var container = RuncContainer.Start(
                image.Rootfs,
                image.Archive.ImageConfig,
                command: null,
                [],
                new Dictionary<string, string>
                {
                    ["ErieCanal__ControlPlaneKubeconfig"] = KubeconfigPath,
                    ["Http__Urls"] = $"http://127.0.0.1:{api}",
                    ["Orleans__SiloPort"] = $"{LocalPorts.Reserve()}",
                    ["Orleans__GatewayPort"] = $"{LocalPorts.Reserve()}",
                    ["Dashboard__Url"] = $"http://127.0.0.1:{LocalPorts.Reserve()}",
                },
                new Dictionary<string, string> { [KubeconfigPath] = files["control-plane"] });

            await ServesHealthzAsync(container, new Uri($"http://127.0.0.1:{api}/healthz"));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var clusters = await http.GetAsync(new Uri($"http://127.0.0.1:{api}/api/v1/clusters"));
            Assert.Equal(HttpStatusCode.OK, clusters.StatusCode);
            Assert.Contains("ErieCanal.Orleans silo is running", container.Output, StringComparison.Ordinal);
            await RunsAs1654Async(container);
            await StopsOnSigtermAsync(container);
        }
        finally
        {
            Directory.Delete(kubeconfigs, recursive: true);
        }
    }

    private static async Task ServesHealthzAsync(RuncContainer container, Uri healthz)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.Until(
            async () =>
            {
                if (container.HasExited)
                {
                    throw new WaitAbortedException($"the container exited before serving {healthz}: {container.Output}");
                }

                return await http.GetStringAsync(healthz);
            },
            body => body == "ok",
            $"{healthz} answering ok; container output: {container.Output}",
            StartBound);
    }

    /// <summary>The process as the host sees it runs as uid and gid 1654, whatever the image says.</summary>
    private static async Task RunsAs1654Async(RuncContainer container)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{await container.HostPidAsync()}/status");
        Assert.Equal(["1654", "1654", "1654", "1654"], status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..]);
        Assert.Equal(["1654", "1654", "1654", "1654"], status.Single(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..]);
    }

    private static async Task StopsOnSigtermAsync(RuncContainer container)
    {
        await container.TerminateAsync();
        var exitCode = await container.WaitForExitAsync(StopBound);
        Assert.True(exitCode == 0, $"after SIGTERM the container {(exitCode is null ? $"still ran after {StopBound.TotalSeconds} s" : $"exited {exitCode}")}: {container.Output}");
    }

    private static string ChartAppVersion() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans", "Chart.yaml"))
            .Single(l => l.StartsWith("appVersion:", StringComparison.Ordinal))["appVersion:".Length..].Trim().Trim('"');

    private static async Task<string> GitHeadAsync()
    {
        var start = new ProcessStartInfo("git", ["-C", RepoPaths.Root, "rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var head = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && head.Length == 40, $"git rev-parse HEAD in {RepoPaths.Root} gave '{head}'");
        return head;
    }
}
