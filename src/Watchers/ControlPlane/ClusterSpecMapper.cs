using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>Maps a Cluster object to the grain-side spec, applying the CRD's defaults when the server did not.</summary>
public static class ClusterSpecMapper
{
    public static ClusterSpec From(ClusterResource cluster)
    {
        var spec = cluster.Spec;
        var secret = spec.KubeconfigSecretRef is { Name: { Length: > 0 } name } r
            ? new SecretRef(string.IsNullOrEmpty(r.Namespace) ? "erie-canal" : r.Namespace, name, string.IsNullOrEmpty(r.Key) ? "kubeconfig" : r.Key)
            : null;
        return new ClusterSpec(
            cluster.Metadata.Name,
            cluster.Metadata.Uid ?? "",
            Or(spec.Region),
            Or(spec.Zone),
            Or(spec.Group),
            string.IsNullOrWhiteSpace(spec.GatewayHost) ? null : spec.GatewayHost.Trim(),
            spec.GatewayPort ?? 80,
            spec.Kubeconfig,
            secret,
            cluster.Metadata.Generation ?? 1,
            cluster.Metadata.ResourceVersion ?? "0");
    }

    private static string Or(string? value) => string.IsNullOrWhiteSpace(value) ? ClusterKeys.DefaultPart : value;
}
