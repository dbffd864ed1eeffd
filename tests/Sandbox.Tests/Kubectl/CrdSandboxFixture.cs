namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>A fresh cluster with the chart's CRDs and the httpbin namespace, for tests that send bad custom resources.</summary>
public sealed class CrdSandboxFixture : KubectlSandboxFixture
{
    protected override async Task SetUpAsync()
    {
        (await Kubectl.RunAsync("apply", "-f", RepoPaths.CrdDirectory)).AssertSuccess();
        (await Kubectl.RunAsync("create", "namespace", "httpbin")).AssertSuccess();
    }
}
