using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// A cluster's own certificate authority and the API server's serving certificate it signs, with the names and
/// addresses a client in or out of the cluster uses (kubeadm's apiserver certificate SANs).
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    private static readonly string[] DnsNames = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];

    public ClusterCertificates(string clusterName, IEnumerable<IPAddress> apiAddresses)
    {
        var now = DateTimeOffset.UtcNow;
        // ECDSA P-256: as good as RSA for this and generated in microseconds (every test fixture starts clusters).
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=sandbox-{clusterName}-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in DnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in apiAddresses.Append(IPAddress.Loopback).Distinct())
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(Authority, now.AddMinutes(-5), now.AddYears(5), serial);
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        // Through PKCS#12 so the key is one SslStream can use on every platform (not an ephemeral handle).
        Serving = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The CA certificate (no private key kept beyond signing the serving certificate).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The serving certificate with its private key.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The CA as PEM: a kubeconfig's certificate-authority-data, a pod's ca.crt.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem() + "\n";

    public void Dispose()
    {
        Authority.Dispose();
        Serving.Dispose();
    }
}
