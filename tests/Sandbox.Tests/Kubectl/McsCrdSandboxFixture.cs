namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>
/// A fresh cluster with the flomesh.io CRDs and the three upstream KEP-1645 / KEP-2149 CRDs, each applied verbatim
/// from its file with <c>kubectl apply -f</c> (their license headers and quoted keys included), plus a namespace.
/// </summary>
public sealed class McsCrdSandboxFixture : KubectlSandboxFixture
{
    public const string Namespace = "mcs";

    public static readonly string[] UpstreamFiles =
    [
        "multicluster.x-k8s.io_serviceexports.yaml",
        "multicluster.x-k8s.io_serviceimports.yaml",
        "about.k8s.io_clusterproperties.yaml",
    ];

    /// <summary>What <c>kubectl apply -f</c> printed for each upstream file, in <see cref="UpstreamFiles"/> order.</summary>
    public IReadOnlyList<KubectlResult> Applied { get; private set; } = [];

    protected override async Task SetUpAsync()
    {
        foreach (var file in new[] { "flomesh.io_serviceimports.yaml", "flomesh.io_serviceexports.yaml" })
        {
            (await Kubectl.RunAsync("apply", "-f", Path.Combine(RepoPaths.CrdDirectory, file))).AssertSuccess();
        }

        var applied = new List<KubectlResult>();
        foreach (var file in UpstreamFiles)
        {
            applied.Add(await Kubectl.RunAsync("apply", "-f", Path.Combine(RepoPaths.CrdDirectory, file)));
        }

        Applied = applied;
        (await Kubectl.RunAsync("create", "namespace", Namespace)).AssertSuccess();
    }
}
