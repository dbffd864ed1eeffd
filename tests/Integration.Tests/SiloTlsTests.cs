using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ErieCanal.Orleans.Silo.Security;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Silo-to-silo TLS from configuration (Orleans:Tls): two silos sharing a self-signed certificate generated here
/// form a cluster and work (a management call fans out to every silo); a peer with a certificate they do not trust,
/// or with none, is refused at the TLS handshake on the silo port.
/// </summary>
public sealed class SiloTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-tls-tests", Guid.NewGuid().ToString("N"));
    private TestCluster _silos = null!;
    private X509Certificate2 _trusted = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _trusted = SelfSigned("CN=erie-canal-silos");
        var pfx = Path.Combine(_directory, "silo.pfx");
        await File.WriteAllBytesAsync(pfx, _trusted.Export(X509ContentType.Pkcs12, "pfx-password"));
        var ca = Path.Combine(_directory, "ca.pem");
        await File.WriteAllTextAsync(ca, _trusted.ExportCertificatePem());

        var builder = new TestClusterBuilder(2);

        // Real sockets between the silos (the test cluster's default is an in-memory transport).
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Properties["Orleans:Tls:CertificatePath"] = pfx;
        builder.Properties["Orleans:Tls:CertificatePassword"] = "pfx-password";
        builder.Properties["Orleans:Tls:CaCertificatePath"] = ca;
        builder.AddSiloBuilderConfigurator<TlsSilo>();
        builder.AddClientBuilderConfigurator<TlsClient>();
        _silos = builder.Build();
        await _silos.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _silos.StopAllSilosAsync();
        await _silos.DisposeAsync();
        _trusted.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Two_silos_with_the_certificate_form_a_cluster_and_an_untrusted_peer_is_refused()
    {
        var management = _silos.Client.GetGrain<IManagementGrain>(0);
        var hosts = await Eventually.Until(() => management.GetHosts(onlyActive: true), h => h.Count == 2, "both silos active in the membership");
        output.WriteLine($"active silos: {string.Join(", ", hosts.Keys)}");

        // Silo-to-silo calls: statistics are gathered from each silo's control target.
        var statistics = await management.GetRuntimeStatistics([.. hosts.Keys]);
        Assert.Equal(2, statistics.Length);

        // The control first: a peer with the trusted certificate is let in, and the silo speaks first (its preamble).
        var endpoint = _silos.Silos[1].SiloAddress.Endpoint;
        Assert.True(await AcceptedAsync(endpoint, _trusted), "a peer with the trusted certificate is accepted");

        using var stranger = SelfSigned("CN=not-a-silo");
        Assert.False(await AcceptedAsync(endpoint, stranger), "a peer with a certificate the silos do not trust is refused");
        Assert.False(await AcceptedAsync(endpoint, null), "a peer without a certificate is refused");
    }

    /// <summary>
    /// A TLS handshake with the silo port, then a read: a silo that accepts the peer sends its Orleans preamble; one
    /// that refuses the peer's certificate (checked as the handshake completes) closes the connection instead.
    /// </summary>
    private static async Task<bool> AcceptedAsync(IPEndPoint endpoint, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "silo",
                ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
                ClientCertificates = certificate is null ? null : [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, timeout.Token);
            return await tls.ReadAsync(new byte[1], timeout.Token) > 0;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class TlsSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.UseErieCanalTls(siloBuilder.Configuration);
    }

    private sealed class TlsClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.UseErieCanalTls(configuration);
    }
}
