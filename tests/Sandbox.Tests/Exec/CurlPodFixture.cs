using System.Net;
using ErieCanal.Orleans.Sandbox.Tests.Kubectl;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>
/// The seed's curl Deployment (tests/fixtures/seed/03-curl.yaml) with its pod Running, and a test-owned HTTP
/// server on a loopback address. <see cref="ProxiedCurlPodFixture"/> makes that server the member's client-side
/// proxy; <see cref="CurlPodFixture"/> leaves the member without one (cluster DNS and kube-proxy apply).
/// </summary>
public class CurlPodFixture : KubectlSandboxFixture
{
    public RecordingHttpServer Server { get; private set; } = null!;

    public string CurlPod { get; private set; } = "";

    protected virtual IPAddress ServerAddress => IPAddress.Parse("127.62.0.1");

    protected override async Task SetUpAsync()
    {
        Server = await RecordingHttpServer.StartAsync(ServerAddress);
        (await Kubectl.RunAsync("apply", "-f", RepoPaths.Seed("03-curl.yaml"))).AssertSuccess();
        await Kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim() == "1", "get", "deployment", "curl", "-n", "curl", "-o", "jsonpath={.status.readyReplicas}");
        CurlPod = (await Kubectl.RunAsync("get", "pods", "-n", "curl", "-l", "app=curl", "-o", "jsonpath={.items[0].metadata.name}")).AssertSuccess().Stdout.Trim();
    }

    protected override async Task TearDownAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Runs <c>kubectl exec {curl pod} -n curl -c curl [extra] -- command...</c>.</summary>
    public Task<KubectlResult> ExecAsync(string[] kubectlFlags, params string[] command) =>
        Kubectl.RunAsync(["exec", .. kubectlFlags, CurlPod, "-n", "curl", "-c", "curl", "--", .. command]);

    public Task<KubectlResult> ExecAsync(params string[] command) => ExecAsync([], command);
}

/// <summary>A curl pod whose member runs a client-side proxy: the test's recording server.</summary>
public sealed class ProxiedCurlPodFixture : CurlPodFixture
{
    protected override IPAddress ServerAddress => IPAddress.Parse("127.61.0.1");

    protected override async Task SetUpAsync()
    {
        await base.SetUpAsync();
        Cluster.ClientProxy = Server.Url;
    }
}
