using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>Silo-to-silo (and gateway) TLS from <see cref="SiloTlsOptions"/>, through Microsoft.Orleans.Connections.Security.</summary>
public static class SiloTlsExtensions
{
    /// <summary>TLS on this silo's connections when <c>Orleans:Tls:CertificatePath</c> is set; nothing otherwise.</summary>
    public static ISiloBuilder UseErieCanalTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (Settings(configuration) is { } settings)
        {
            silo.UseTls(LoadCertificate(settings), tls => Configure(tls, settings));
        }

        return silo;
    }

    /// <summary>The same for an Orleans client of the silos' gateways (tools, tests).</summary>
    public static IClientBuilder UseErieCanalTls(this IClientBuilder client, IConfiguration configuration)
    {
        if (Settings(configuration) is { } settings)
        {
            client.UseTls(LoadCertificate(settings), tls => Configure(tls, settings));
        }

        return client;
    }

    private static SiloTlsOptions? Settings(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SiloTlsOptions.Section).Get<SiloTlsOptions>() ?? new SiloTlsOptions();
        var result = new SiloTlsOptionsValidator().Validate(null, settings);
        if (result.Failed)
        {
            throw new OptionsValidationException(SiloTlsOptions.Section, typeof(SiloTlsOptions), result.Failures);
        }

        return settings.Enabled ? settings : null;
    }

    private static void Configure(TlsOptions tls, SiloTlsOptions settings)
    {
        tls.ClientCertificateMode = settings.ClientCertificateMode;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.CheckCertificateRevocation = settings.CheckCertificateRevocation;
        var trusted = LoadTrusted(settings);
        tls.RemoteCertificateValidation = (certificate, chain, errors) => IsTrusted(certificate, errors, trusted, settings.CheckCertificateRevocation);
    }

    /// <summary>
    /// A peer is trusted when its chain builds to a configured CA (or, without one, when the platform found no
    /// chain error). Name mismatches are ignored: silos dial each other by IP.
    /// </summary>
    private static bool IsTrusted(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2Collection? trusted, bool checkRevocation)
    {
        if (certificate is null)
        {
            return false;
        }

        if (trusted is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2Collection? LoadTrusted(SiloTlsOptions settings)
    {
        if (string.IsNullOrEmpty(settings.CaCertificatePath))
        {
            return null;
        }

        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(settings.CaCertificatePath);
        return trusted;
    }

    private static X509Certificate2 LoadCertificate(SiloTlsOptions settings)
    {
        var path = settings.CertificatePath!;
        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword);
        }

        using var pem = string.IsNullOrEmpty(settings.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, settings.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, settings.CertificatePassword, settings.KeyPath);

        // A PEM key is ephemeral; a PKCS#12 round trip gives TLS a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
