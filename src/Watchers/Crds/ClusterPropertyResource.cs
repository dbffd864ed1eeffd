using System.Text.Json.Serialization;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>KEP-2149 about.k8s.io/v1beta1 ClusterProperty (cluster-scoped): a named property of the cluster and its value.</summary>
public sealed class ClusterPropertyResource : IKubernetesObject<V1ObjectMeta>
{
    public const string KindName = "ClusterProperty";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{McsNames.AboutGroup}/{McsNames.AboutVersion}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ClusterPropertySpec Spec { get; set; } = new();
}

/// <summary>The spec of a ClusterProperty: its value (the CRD allows 1-128000 characters).</summary>
public sealed class ClusterPropertySpec
{
    [JsonPropertyName("value")]
    public string? Value { get; set; }
}
