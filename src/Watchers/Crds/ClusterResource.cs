using System.Text.Json.Serialization;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>flomesh.io/v1alpha1 Cluster (cluster-scoped, on the control-plane cluster).</summary>
public sealed class ClusterResource : CustomResource<ClusterResourceSpec, ClusterResourceStatus>
{
    public const string Plural = "clusters";

    public ClusterResource() => Kind = "Cluster";
}

public sealed class ClusterResourceSpec
{
    [JsonPropertyName("region")]
    public string? Region { get; set; }

    [JsonPropertyName("zone")]
    public string? Zone { get; set; }

    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("gatewayHost")]
    public string? GatewayHost { get; set; }

    [JsonPropertyName("gatewayPort")]
    public int? GatewayPort { get; set; }

    [JsonPropertyName("kubeconfig")]
    public string? Kubeconfig { get; set; }

    [JsonPropertyName("kubeconfigSecretRef")]
    public KubeconfigSecretRef? KubeconfigSecretRef { get; set; }
}

public sealed class KubeconfigSecretRef
{
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("key")]
    public string? Key { get; set; }
}

public sealed class ClusterResourceStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("clusterKey")]
    public string? ClusterKey { get; set; }

    [JsonPropertyName("conditions")]
    public List<Condition>? Conditions { get; set; }
}
