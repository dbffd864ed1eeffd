using System.Security.Cryptography.X509Certificates;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Auth;

/// <summary>
/// One sandbox cluster, its admin kubectl (the plain-HTTP port, all-powerful) and, per token, kubectl and
/// KubernetesClient on its HTTPS port trusting the cluster's CA: what a ServiceAccount in a real cluster has.
/// </summary>
public sealed class AuthFixture : SandboxFixture, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auth-").FullName;
    private int _files;

    public KubectlRunner Admin { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var kubeconfig = Path.Combine(_directory, "admin.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, Cluster.Kubeconfig());
        Admin = new KubectlRunner(kubeconfig, _directory);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>kubectl on the HTTPS port with <paramref name="token"/>, verifying the server against the cluster's CA.</summary>
    public async Task<KubectlRunner> KubectlAsync(string token, string ns = "default")
    {
        var file = Path.Combine(_directory, $"user-{Interlocked.Increment(ref _files)}.kubeconfig");
        await File.WriteAllTextAsync(file, KubeconfigWriter.WriteSecure(Cluster, "user", token, ns));
        return new KubectlRunner(file, _directory);
    }

    /// <summary>KubernetesClient on the HTTPS port with <paramref name="token"/> (none: anonymous), trusting only the cluster's CA.</summary>
    public Kubernetes SecureClient(string? token) => new(new KubernetesClientConfiguration
    {
        Host = Cluster.SecureServer.ToString(),
        AccessToken = token,
        SslCaCerts = [X509Certificate2.CreateFromPem(Cluster.CaCertificatePem)],
    });

    /// <summary>An HttpClient on the HTTPS port trusting the cluster's CA, with an optional bearer token.</summary>
    public HttpClient SecureHttp(string? token)
    {
        var ca = X509Certificate2.CreateFromPem(Cluster.CaCertificatePem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { ca } };
        var http = new HttpClient(handler) { BaseAddress = Cluster.SecureServer, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return http;
    }

    /// <summary>Creates the namespace and ServiceAccount (admin, plain port) and returns a token for it from <c>kubectl create token</c>.</summary>
    public async Task<string> ServiceAccountTokenAsync(string ns, string serviceAccount)
    {
        await Admin.RunAsync("create", "namespace", ns);
        await Admin.RunAsync("create", "serviceaccount", serviceAccount, "-n", ns);
        return (await Admin.RunAsync("create", "token", serviceAccount, "-n", ns)).AssertSuccess().Stdout.Trim();
    }
}
