namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>The seed walkthrough applied with kubectl (01, 03, CRDs, 02, 04) and httpbin's two replicas ready.</summary>
public sealed class SeededSandboxFixture : KubectlSandboxFixture
{
    protected override async Task SetUpAsync()
    {
        foreach (var path in new[] { RepoPaths.Seed("01-httpbin.yaml"), RepoPaths.Seed("03-curl.yaml"), RepoPaths.CrdDirectory, RepoPaths.Seed("02-serviceexport.yaml"), RepoPaths.Seed("04-globaltrafficpolicy.yaml") })
        {
            (await Kubectl.RunAsync("apply", "-f", path)).AssertSuccess();
        }

        await Kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim() == "2", "get", "deployment", "httpbin", "-n", "httpbin", "-o", "jsonpath={.status.readyReplicas}");
        await Kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim() == "1", "get", "deployment", "curl", "-n", "curl", "-o", "jsonpath={.status.readyReplicas}");
    }
}
