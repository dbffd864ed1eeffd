using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Hosting;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>
/// A sandbox cluster given the busybox test image, so its pods run as runc containers, and kubectl pointed at it.
/// Containers need root and runc: without them the fixture fails, saying which is missing (never a skip).
/// </summary>
public sealed class ContainerSandboxFixture : IAsyncLifetime
{
    public const string ClusterName = "runtime";

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("container-sandbox-").FullName;

    public SandboxHost Host { get; private set; } = null!;

    public SandboxCluster Cluster => Host[ClusterName];

    public KubectlRunner Kubectl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Runc.Unavailable() is { } why)
        {
            throw new InvalidOperationException($"the container tests cannot run here: {why}");
        }

        var image = BusyboxImage.Write(Path.Combine(WorkDirectory, "image"));
        Host = await SandboxHost.StartAsync([ClusterName], new SandboxClusterOptions
        {
            Images = [new GivenImage(null, image)],
            ImageCacheDirectory = Path.Combine(WorkDirectory, "images"),
            ContainerRestartBackoff = TimeSpan.FromSeconds(1),
            ServeClusterNetwork = true,
            PodReadyDelay = TimeSpan.FromMilliseconds(100),
        });
        Kubectl = new KubectlRunner(Host.WriteKubeconfigs(Path.Combine(WorkDirectory, "kubeconfigs"))[ClusterName], WorkDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>Applies a manifest through kubectl, as a user would.</summary>
    public async Task ApplyAsync(string yaml) => (await Kubectl.RunWithInputAsync(yaml, "apply", "-f", "-")).AssertSuccess();
}
