using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Auth;

/// <summary>
/// The HTTPS port: a serving certificate from the cluster's own CA with the in-cluster names, h2 and http/1.1, and
/// KubernetesClient's in-cluster configuration (host and port from the environment, token and ca.crt from files).
/// </summary>
public sealed class SecurePortTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private static readonly Lock EnvironmentGate = new();

    [Fact]
    public async Task The_serving_certificate_chains_to_the_cluster_CA_and_names_the_in_cluster_service()
    {
        X509Certificate2? served = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            served = new X509Certificate2(certificate!);
            return true;
        };
        using (var http = new HttpClient(handler))
        {
            (await http.GetAsync(new Uri(fixture.Cluster.SecureServer, "/version"))).EnsureSuccessStatusCode();
        }

        Assert.NotNull(served);
        using var ca = X509Certificate2.CreateFromPem(fixture.Cluster.CaCertificatePem);
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { ca } } };
        Assert.True(chain.Build(served), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        var names = served.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"], names.EnumerateDnsNames().Where(n => n.StartsWith("kubernetes", StringComparison.Ordinal)));
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task The_port_speaks_http2_by_ALPN_and_http1(int major)
    {
        using var http = fixture.SecureHttp(fixture.Cluster.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces") { Version = new Version(major, major == 2 ? 0 : 1), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal(major, response.Version.Major);
    }

    [Fact]
    public async Task Going_offline_closes_the_https_port_and_coming_back_reopens_it_on_the_same_port()
    {
        var port = fixture.Cluster.SecurePort;
        using var http = fixture.SecureHttp(fixture.Cluster.Token);
        await fixture.Cluster.GoOfflineAsync();
        try
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/api"));
        }
        finally
        {
            await fixture.Cluster.GoOnlineAsync();
        }

        Assert.Equal(port, fixture.Cluster.SecurePort);
        await Eventually.Until(async () => (await http.GetAsync("/api")).IsSuccessStatusCode, "the https port answers again");
    }

    [Fact]
    public async Task The_admin_token_is_all_powerful_on_both_ports()
    {
        var secure = await fixture.KubectlAsync(fixture.Cluster.Token);
        (await secure.RunAsync("get", "secrets", "-A")).AssertSuccess();
        Assert.Equal("yes", (await secure.RunAsync("auth", "can-i", "*", "*")).AssertSuccess().Stdout.Trim());
        (await fixture.Admin.RunAsync("get", "secrets", "-A")).AssertSuccess();
        var whoami = (await secure.RunAsync("auth", "whoami", "-o", "json")).AssertSuccess();
        var user = JsonNode.Parse(whoami.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("sandbox-admin", user["username"]!.GetValue<string>());
        Assert.Contains("system:masters", user["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
    }

    [Fact]
    public async Task KubernetesClient_in_cluster_configuration_works_against_the_https_port()
    {
        var token = await fixture.ServiceAccountTokenAsync("in-cluster", "reader");
        (await fixture.Admin.RunAsync("create", "rolebinding", "reader", "--clusterrole=view", "--serviceaccount=in-cluster:reader", "-n", "in-cluster")).AssertSuccess();
        var directory = Directory.CreateTempSubdirectory("serviceaccount-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "token"), token);
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.crt"), fixture.Cluster.CaCertificatePem);
            await File.WriteAllTextAsync(Path.Combine(directory, "namespace"), "in-cluster");
            var config = InClusterConfig(directory, fixture.Cluster.SecureServer);
            Assert.Equal("in-cluster", config.Namespace);

            using var client = new Kubernetes(config);
            var pods = await client.CoreV1.ListNamespacedPodAsync("in-cluster");
            Assert.Empty(pods.Items);
            var forbidden = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNamespacedSecretAsync("in-cluster"));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// KubernetesClient.InClusterConfig() as a pod runs it: KUBERNETES_SERVICE_HOST/PORT from the environment, the
    /// files from its (internal, fixed) service account directory, pointed here at <paramref name="directory"/>.
    /// </summary>
    private static KubernetesClientConfiguration InClusterConfig(string directory, Uri server)
    {
        var path = typeof(KubernetesClientConfiguration).GetField("ServiceAccountPath", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("KubernetesClient no longer has KubernetesClientConfiguration.ServiceAccountPath; read how InClusterConfig finds its files");
        lock (EnvironmentGate)
        {
            var original = path.GetValue(null);
            var (host, port) = (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"), Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"));
            try
            {
                path.SetValue(null, directory);
                Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", server.Host);
                Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(KubernetesClientConfiguration.IsInCluster());
                return KubernetesClientConfiguration.InClusterConfig();
            }
            finally
            {
                path.SetValue(null, original);
                Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", host);
                Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", port);
            }
        }
    }
}
