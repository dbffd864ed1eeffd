using Orleans.Connections.Security;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// TLS on the silo-to-silo and gateway connections (section <c>Orleans:Tls</c>; off while no certificate is set).
/// Every silo presents its certificate and, by default, requires one from its peer that chains to
/// <see cref="CaCertificatePath"/> (or to the system's roots when that is not set): only silos holding a trusted
/// certificate join. Silos address each other by IP, so the certificate's names are not checked, its chain is.
/// </summary>
public sealed class SiloTlsOptions
{
    public const string Section = "Orleans:Tls";

    /// <summary>The silo's certificate: a PKCS#12 file (.pfx/.p12) or a PEM certificate (with <see cref="KeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PKCS#12 file's password, or the PEM key's when it is encrypted.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The PEM private key, when <see cref="CertificatePath"/> is a PEM certificate without its key.</summary>
    public string? KeyPath { get; set; }

    /// <summary>PEM certificate(s) a peer's certificate must chain to (a private CA, or the shared self-signed certificate).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// What a silo asks of an Orleans client on its gateway port: RequireCertificate (the default), AllowCertificate or
    /// NoCertificate. Between silos TLS is always mutual.
    /// </summary>
    public RemoteCertificateMode ClientCertificateMode { get; set; } = RemoteCertificateMode.RequireCertificate;

    /// <summary>Check revocation lists (needs the CA's distribution points to be reachable).</summary>
    public bool CheckCertificateRevocation { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(CertificatePath);
}
