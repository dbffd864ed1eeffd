using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>kube-root-ca.crt in every namespace, as kube-controller-manager publishes it, read with the real kubectl.</summary>
public sealed class RootCaPublisherTests(KindsFixture fixture) : IClassFixture<KindsFixture>
{
    [Fact]
    public async Task Every_namespace_has_the_cluster_ca_and_gets_it_back_when_deleted()
    {
        var ca = (await fixture.Kubectl.RunAsync("get", "configmap", "kube-root-ca.crt", "-n", "kube-system", "-o", "jsonpath={.data.ca\\.crt}")).AssertSuccess().Stdout;
        Assert.Equal(fixture.Cluster.CaCertificatePem, ca);

        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "root-ca");
        await Eventually.Until(
            async () => (await fixture.Kubectl.RunAsync("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}")).Stdout,
            published => published == fixture.Cluster.CaCertificatePem,
            "the CA published in a new namespace");

        (await fixture.Kubectl.RunAsync("delete", "configmap", "kube-root-ca.crt", "-n", ns)).AssertSuccess();
        await Eventually.Until(
            async () => (await fixture.Kubectl.RunAsync("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}")).Stdout,
            published => published == fixture.Cluster.CaCertificatePem,
            "the CA published again after its deletion");
    }
}
