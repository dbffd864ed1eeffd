using ErieCanal.Orleans.Sandbox.Hosting;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>The seam other parts of the cluster fill: what it answers is what containers see, and tokens are issued again before they expire.</summary>
[Collection(ContainerCollection.Name)]
public sealed class PodClusterServicesTests(ContainerSandboxFixture fixture)
{
    [Fact]
    public async Task Tokens_ca_api_address_and_nameserver_come_from_the_seam_and_tokens_are_refreshed()
    {
        await using var host = await SandboxHost.StartAsync(["seam"], new SandboxClusterOptions
        {
            Images = fixture.Cluster.Options.Images,
            ImageCacheDirectory = fixture.Cluster.Options.ImageCacheDirectory,
            PodClusterServices = _ => new RecordingClusterServices(),
        });
        var kubectl = new KubectlRunner(host.WriteKubeconfigs(Path.Combine(fixture.WorkDirectory, "seam"))["seam"], fixture.WorkDirectory);
        (await kubectl.RunWithInputAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: seam, namespace: default}
            spec:
              serviceAccountName: builder
              automountServiceAccountToken: true
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT; exec sleep 3600"]
                volumeMounts: [{name: short, mountPath: /short}]
              volumes:
              - name: short
                projected:
                  sources:
                  - serviceAccountToken: {path: token, expirationSeconds: 2}
            """, "apply", "-f", "-")).AssertSuccess();
        await PodJson.WaitAsync(kubectl, "default", "seam", PodJson.IsReady, "Ready");
        async Task<string> Exec(params string[] command) => (await kubectl.RunAsync(["exec", "seam", "--", .. command])).AssertSuccess().Stdout;

        Assert.Matches("^token-\\d+-default-builder-seam-3607$", await Exec("cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        Assert.Contains("BEGIN CERTIFICATE", await Exec("cat", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"), StringComparison.Ordinal);
        Assert.Contains("nameserver 127.0.0.53", await Exec("cat", "/etc/resolv.conf"), StringComparison.Ordinal);
        await kubectl.WaitForAsync(r => r.Lines.Contains("127.0.0.9:6443"), "logs", "seam");

        var first = await Exec("cat", "/short/token");
        Assert.Matches("^token-\\d+-default-builder-seam-2$", first);
        await Eventually.Until(async () => await Exec("cat", "/short/token") != first, "the short-lived token is issued again");
    }
}
