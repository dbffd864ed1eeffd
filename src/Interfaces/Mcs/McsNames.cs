using System.Security.Cryptography;
using System.Text;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The names of the Kubernetes Multi-Cluster Services API (KEP-1645, <c>multicluster.x-k8s.io</c>, mcs-api v0.5.0) and
/// of cluster identity (KEP-2149, <c>about.k8s.io</c>) that every part of the system shares: groups and kinds, the
/// well-known labels, condition types and reasons, and the reference controllers' derived-Service name.
/// </summary>
public static class McsNames
{
    public const string Group = "multicluster.x-k8s.io";
    public const string Version = "v1beta1";
    public const string ApiVersion = $"{Group}/{Version}";
    public const string ServiceExportKind = "ServiceExport";
    public const string ServiceImportKind = "ServiceImport";
    public const string ServiceExports = "serviceexports";
    public const string ServiceImports = "serviceimports";

    /// <summary>KEP-2149 ClusterProperty (cluster-scoped) and the two well-known properties.</summary>
    public const string AboutGroup = "about.k8s.io";
    public const string AboutVersion = "v1beta1";
    public const string ClusterProperties = "clusterproperties";
    public const string ClusterIdProperty = "cluster.clusterset.k8s.io";
    public const string ClusterSetProperty = "clusterset.k8s.io";

    /// <summary>On EndpointSlices of an imported service (and on a derived Service): the imported service's name.</summary>
    public const string ServiceNameLabel = "multicluster.kubernetes.io/service-name";

    /// <summary>On EndpointSlices of an imported service: the cluster id the endpoints are in.</summary>
    public const string SourceClusterLabel = "multicluster.kubernetes.io/source-cluster";

    /// <summary>Who manages an EndpointSlice; ours is never the built-in controller's <c>endpointslice-controller.k8s.io</c>.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ManagedBy = "erie-canal-orleans.flomesh.io";

    /// <summary>The label kube-proxy and CoreDNS read to find a Service's EndpointSlices.</summary>
    public const string KubernetesServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>On a ServiceImport: the name of its derived Service (mcs-api's reference controllers).</summary>
    public const string DerivedServiceAnnotation = "multicluster.kubernetes.io/derived-service";

    /// <summary>On a derived Service: the ServiceImport (<c>ns/name</c>) it was written for; such a Service is never exported.</summary>
    public const string DerivedForLabel = "multicluster.flomesh.io/derived-for";

    public const string ClusterSetDomain = "clusterset.local";

    /// <summary>On our MCS EndpointSlices: the source cluster's gateway (<c>host:port</c>), where a member's proxy tunnels to reach those endpoints.</summary>
    public const string SourceGatewayAnnotation = "multicluster.flomesh.io/source-gateway";

    /// <summary>On what we write (ServiceImport, derived Service, EndpointSlices): the hash of its decided content, so an unchanged object is not written again.</summary>
    public const string ContentHashAnnotation = "multicluster.flomesh.io/content-hash";

    /// <summary>On a derived Service: who wrote it.</summary>
    public const string AppManagedByLabel = "app.kubernetes.io/managed-by";
    public const string AppManagedBy = "erie-canal-orleans";

    /// <summary>EndpointSlice controller's default <c>maxEndpointsPerSlice</c>.</summary>
    public const int MaxEndpointsPerSlice = 100;

    public static class Conditions
    {
        public const string Valid = "Valid";
        public const string Ready = "Ready";
        public const string Conflict = "Conflict";
    }

    /// <summary>Condition reasons of mcs-api v1beta1 (<c>serviceexport.go</c>, <c>serviceimport.go</c>), plus <see cref="DerivedService"/>.</summary>
    public static class Reasons
    {
        public const string Valid = "Valid";
        public const string NoService = "NoService";
        public const string InvalidServiceType = "InvalidServiceType";

        /// <summary>Ours: the Service is a derived Service written for an import, which must never be exported again.</summary>
        public const string DerivedService = "DerivedService";
        public const string Pending = "Pending";
        public const string Exported = "Exported";
        public const string Ready = "Ready";
        public const string Failed = "Failed";
        public const string NoConflicts = "NoConflicts";
        public const string PortConflict = "PortConflict";
        public const string TypeConflict = "TypeConflict";
        public const string SessionAffinityConflict = "SessionAffinityConflict";
        public const string SessionAffinityConfigConflict = "SessionAffinityConfigConflict";
        public const string LabelsConflict = "LabelsConflict";
        public const string AnnotationsConflict = "AnnotationsConflict";
        public const string InternalTrafficPolicyConflict = "InternalTrafficPolicyConflict";
        public const string TrafficDistributionConflict = "TrafficDistributionConflict";
        public const string IpFamilyConflict = "IPFamilyConflict";
        public const string IpFamilyNotSupported = "IPFamilyNotSupported";

        /// <summary>Ours: a Service with the derived name exists and is not ours (we never adopt a user's Service).</summary>
        public const string DerivedServiceTaken = "DerivedServiceTaken";
    }

    public static class ImportTypes
    {
        public const string ClusterSetIp = "ClusterSetIP";
        public const string Headless = "Headless";
    }

    /// <summary>
    /// The derived Service's name for the ServiceImport <paramref name="ns"/>/<paramref name="name"/>, as mcs-api's
    /// reference controller names it: <c>derived-</c> and the first ten characters of the lower-cased, unpadded
    /// base32hex of sha256("ns/name"). The same name as other implementations use, so tools that follow the
    /// <see cref="DerivedServiceAnnotation"/> or compute it find ours.
    /// </summary>
    public static string DerivedName(string ns, string name)
    {
        return "derived-" + ShortHash($"{ns}/{name}", 10);
    }

    /// <summary>The first <paramref name="length"/> characters of the lower-cased, unpadded base32hex of sha256(<paramref name="text"/>).</summary>
    public static string ShortHash(string text, int length) =>
        Base32Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length].ToLowerInvariant();

    /// <summary>RFC 4648 §7 base32 with the extended hex alphabet, no padding (Go's <c>base32.HexEncoding.WithPadding(NoPadding)</c>).</summary>
    private static string Base32Hex(ReadOnlySpan<byte> data)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
        var text = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
