using System.Net;
using ErieCanal.Orleans.Sandbox.Tests.Kubectl;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>
/// The seed's curl Deployment (tests/fixtures/seed/03-curl.yaml) with its pod Running, and a test-owned HTTP
/// server on a loopback address. <see cref="ProxiedCurlPodFixture"/> gives the curl container <c>http_proxy</c>
/// naming that server (the explicit-proxy mode); <see cref="CurlPodFixture"/> leaves the container's environment
/// as the seed has it (cluster DNS and kube-proxy apply).
/// </summary>
public class CurlPodFixture : KubectlSandboxFixture
{
    public RecordingHttpServer Server { get; private set; } = null!;

    public string CurlPod { get; private set; } = "";

    protected virtual IPAddress ServerAddress => IPAddress.Parse("127.62.0.1");

    /// <summary>Literal env entries for the curl container (none: the seed's spec unchanged).</summary>
    protected virtual IReadOnlyDictionary<string, string> CurlEnvironment() => new Dictionary<string, string>();

    protected override async Task SetUpAsync()
    {
        Server = await RecordingHttpServer.StartAsync(ServerAddress);
        var manifest = await File.ReadAllTextAsync(RepoPaths.Seed("03-curl.yaml"));
        var env = CurlEnvironment();
        if (env.Count > 0)
        {
            var entries = string.Concat(env.Select(e => $"        env:\n        - name: {e.Key}\n          value: \"{e.Value}\"\n"));
            manifest = manifest.Replace("        name: curl\n", "        name: curl\n" + entries, StringComparison.Ordinal);
        }

        var path = Path.Combine(Path.GetTempPath(), $"curl-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, manifest);
        try
        {
            (await Kubectl.RunAsync("apply", "-f", path)).AssertSuccess();
        }
        finally
        {
            File.Delete(path);
        }

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

/// <summary>A curl pod told to use an HTTP proxy (<c>http_proxy</c> in its container's env): the test's recording server.</summary>
public sealed class ProxiedCurlPodFixture : CurlPodFixture
{
    protected override IPAddress ServerAddress => IPAddress.Parse("127.61.0.1");

    // The recording server's port is known only once it listens; the env is read after SetUpAsync started it.
    protected override IReadOnlyDictionary<string, string> CurlEnvironment() => new Dictionary<string, string> { ["http_proxy"] = Server.Url.ToString().TrimEnd('/') };
}
