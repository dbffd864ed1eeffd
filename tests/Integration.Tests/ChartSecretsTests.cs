using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Silo.Security;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The silo's secrets in the chart, rendered by the real helm: the HTTP bearer token and the Orleans TLS certificate
/// come from Secrets mounted as files, and the pod spec carries only their paths, never the material.
/// </summary>
public sealed class ChartSecretsTests
{
    private const string TokenSecret = "erie-canal-http";
    private const string TlsSecret = "erie-canal-silo-tls";

    [Fact]
    public async Task A_bearer_token_Secret_is_mounted_read_only_and_the_silo_is_given_its_path()
    {
        var yaml = await Helm.TemplateAsync("--set", $"http.bearerTokenSecret={TokenSecret}");
        var pod = Helm.StatefulSet(yaml).Spec.Template.Spec;
        var silo = Assert.Single(pod.Containers);

        var volume = Assert.Single(SecretVolumes(pod));
        Assert.Equal(TokenSecret, volume.Secret.SecretName);
        var item = Assert.Single(volume.Secret.Items);
        Assert.Equal("token", item.Key);
        var mount = Assert.Single(silo.VolumeMounts, m => m.Name == volume.Name);
        Assert.Equal((volume.Name, true), (mount.Name, mount.ReadOnlyProperty == true));
        Assert.Null(mount.SubPath); // a subPath mount never sees the rotated Secret

        var env = silo.Env.ToDictionary(e => e.Name);
        Assert.Equal($"{mount.MountPath}/{item.Path}", env["Http__BearerTokenFile"].Value);
        Assert.False(env.ContainsKey("Http__BearerToken"));
        AssertNoSecretMaterialInEnv(silo);

        // The kubelet sends no token: its probes must hit the paths the silo leaves open.
        Assert.Contains(silo.LivenessProbe.HttpGet.Path, HttpAccessOptions.OpenPaths);
        Assert.Contains(silo.ReadinessProbe.HttpGet.Path, HttpAccessOptions.OpenPaths);
        Assert.Null(silo.LivenessProbe.HttpGet.HttpHeaders);
        Assert.Null(silo.ReadinessProbe.HttpGet.HttpHeaders);
    }

    [Fact]
    public async Task The_bearer_token_can_sit_under_another_key_of_its_Secret()
    {
        var yaml = await Helm.TemplateAsync("--set", $"http.bearerTokenSecret={TokenSecret}", "--set", "http.bearerTokenSecretKey=api-token");
        var pod = Helm.StatefulSet(yaml).Spec.Template.Spec;
        var item = Assert.Single(Assert.Single(SecretVolumes(pod)).Secret.Items);
        Assert.Equal("api-token", item.Key);
        Assert.EndsWith($"/{item.Path}", Helm.SiloEnv(yaml)["Http__BearerTokenFile"].Value, StringComparison.Ordinal);

        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--set", $"http.bearerTokenSecret={TokenSecret}", "--set", "http.bearerTokenSecretKey=");
        Assert.NotEqual(0, code);
        Assert.Contains("http.bearerTokenSecretKey is required", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_Secret_is_mounted_read_only_and_the_silo_is_given_its_certificate_key_and_CA_paths()
    {
        var yaml = await Helm.TemplateAsync("--set", $"orleans.tls.secretName={TlsSecret}", "--set", "orleans.tls.caKey=ca.crt");
        var pod = Helm.StatefulSet(yaml).Spec.Template.Spec;
        var silo = Assert.Single(pod.Containers);

        var volume = Assert.Single(SecretVolumes(pod));
        Assert.Equal(TlsSecret, volume.Secret.SecretName);
        var files = volume.Secret.Items.ToDictionary(i => i.Key, i => i.Path);
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], files.Keys.Order());
        var mount = Assert.Single(silo.VolumeMounts, m => m.Name == volume.Name);
        Assert.Equal((volume.Name, true), (mount.Name, mount.ReadOnlyProperty == true));

        var env = silo.Env.ToDictionary(e => e.Name);
        Assert.Equal($"{mount.MountPath}/{files["tls.crt"]}", env["Orleans__Tls__CertificatePath"].Value);
        Assert.Equal($"{mount.MountPath}/{files["tls.key"]}", env["Orleans__Tls__KeyPath"].Value);
        Assert.Equal($"{mount.MountPath}/{files["ca.crt"]}", env["Orleans__Tls__CaCertificatePath"].Value);

        // A PEM pair, not a PKCS#12 file: the silo tells them apart by the extension.
        Assert.DoesNotContain(env.Keys, k => k == "Orleans__Tls__CertificatePassword");
        Assert.False(env["Orleans__Tls__CertificatePath"].Value.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase));
        AssertNoSecretMaterialInEnv(silo);
    }

    [Fact]
    public async Task Without_a_CA_key_peers_chain_to_the_system_roots_and_the_Secret_keys_can_be_renamed()
    {
        var yaml = await Helm.TemplateAsync("--set", $"orleans.tls.secretName={TlsSecret}", "--set", "orleans.tls.certKey=silo.pem", "--set", "orleans.tls.keyKey=silo-key.pem");
        var pod = Helm.StatefulSet(yaml).Spec.Template.Spec;
        var files = Assert.Single(SecretVolumes(pod)).Secret.Items.ToDictionary(i => i.Key, i => i.Path);
        Assert.Equal(["silo-key.pem", "silo.pem"], files.Keys.Order());

        var env = Helm.SiloEnv(yaml);
        Assert.EndsWith($"/{files["silo.pem"]}", env["Orleans__Tls__CertificatePath"].Value, StringComparison.Ordinal);
        Assert.EndsWith($"/{files["silo-key.pem"]}", env["Orleans__Tls__KeyPath"].Value, StringComparison.Ordinal);
        Assert.False(env.ContainsKey("Orleans__Tls__CaCertificatePath"));
    }

    [Fact]
    public async Task Without_the_Secrets_nothing_of_them_renders()
    {
        var yaml = await Helm.TemplateAsync("--set", "metrics.serviceMonitor.enabled=true");
        var pod = Helm.StatefulSet(yaml).Spec.Template.Spec;
        // Only the read-only root's writable /tmp.
        Assert.Equal("tmp", Assert.Single(pod.Volumes).Name);
        Assert.Equal("/tmp", Assert.Single(Assert.Single(pod.Containers).VolumeMounts).MountPath);
        Assert.DoesNotContain(Helm.SiloEnv(yaml).Keys, k => k.StartsWith("Http__Bearer", StringComparison.Ordinal) || k.StartsWith("Orleans__Tls__", StringComparison.Ordinal));
        var endpoint = Assert.Single(Assert.Single(Helm.Documents(yaml, "ServiceMonitor"))["spec"]!["endpoints"]!.AsArray())!;
        Assert.Null(endpoint["bearerTokenSecret"]);
    }

    [Fact]
    public async Task The_silos_ServiceMonitor_scrapes_with_the_bearer_token_Secret()
    {
        var yaml = await Helm.TemplateAsync("--namespace", "erie-canal", "--set", "metrics.serviceMonitor.enabled=true",
            "--set", $"http.bearerTokenSecret={TokenSecret}", "--set", "http.bearerTokenSecretKey=api-token",
            "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1");
        var monitors = Helm.Documents(yaml, "ServiceMonitor").ToDictionary(d => d["metadata"]!["name"]!.GetValue<string>());

        // The Prometheus Operator reads the Secret from the ServiceMonitor's namespace: the release's, as the silos'.
        var silos = monitors["ec"];
        Assert.Equal("erie-canal", silos["metadata"]!["namespace"]!.GetValue<string>());
        var endpoint = Assert.Single(silos["spec"]!["endpoints"]!.AsArray())!;
        Assert.Equal("/metrics", endpoint["path"]!.GetValue<string>());
        var secret = endpoint["bearerTokenSecret"]!;
        Assert.Equal((TokenSecret, "api-token"), (secret["name"]!.GetValue<string>(), secret["key"]!.GetValue<string>()));

        // The gateway and the proxy take no token.
        foreach (var component in new[] { "ec-gateway", "ec-proxy" })
        {
            Assert.Null(Assert.Single(monitors[component]["spec"]!["endpoints"]!.AsArray())!["bearerTokenSecret"]);
        }
    }

    [Fact]
    public async Task The_chart_lints_clean_with_both_Secrets_and_the_ServiceMonitor()
    {
        var (code, output) = await Helm.RunAsync("lint", Helm.Chart, "--strict", "--set", $"http.bearerTokenSecret={TokenSecret}",
            "--set", $"orleans.tls.secretName={TlsSecret}", "--set", "orleans.tls.caKey=ca.crt", "--set", "metrics.serviceMonitor.enabled=true");
        Assert.True(code == 0, output);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);

        // Both together: two Secret volumes (beside /tmp), a mount each, one pod.
        var pod = Helm.StatefulSet(await Helm.TemplateAsync("--set", $"http.bearerTokenSecret={TokenSecret}", "--set", $"orleans.tls.secretName={TlsSecret}")).Spec.Template.Spec;
        Assert.Equal(2, SecretVolumes(pod).Count);
        Assert.Equal(pod.Volumes.Select(v => v.Name).Order(), Assert.Single(pod.Containers).VolumeMounts.Select(m => m.Name).Order());
    }

    private static List<V1Volume> SecretVolumes(V1PodSpec pod) => pod.Volumes.Where(v => v.Secret is not null).ToList();

    /// <summary>
    /// The pod spec names files, nothing else: no env value holds PEM or a token, none is filled from a Secret, and no
    /// envFrom pulls a Secret in whole.
    /// </summary>

    private static void AssertNoSecretMaterialInEnv(V1Container silo)
    {
        Assert.Null(silo.EnvFrom);
        Assert.All(silo.Env, e =>
        {
            Assert.Null(e.ValueFrom?.SecretKeyRef);
            Assert.DoesNotContain("-----BEGIN", e.Value ?? "", StringComparison.Ordinal);
        });
    }
}
