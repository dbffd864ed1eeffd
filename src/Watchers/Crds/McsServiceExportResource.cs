using System.Text.Json.Serialization;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>KEP-1645 multicluster.x-k8s.io/v1beta1 ServiceExport (namespaced, in member clusters; same ns/name as its Service).</summary>
public sealed class McsServiceExportResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = McsNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = McsNames.ServiceExportKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public McsServiceExportSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public ConditionsStatus? Status { get; set; }
}

/// <summary>The labels and annotations the export asks to carry onto the ServiceImport (never the Service's own).</summary>
public sealed class McsServiceExportSpec
{
    [JsonPropertyName("exportedLabels")]
    public Dictionary<string, string>? ExportedLabels { get; set; }

    [JsonPropertyName("exportedAnnotations")]
    public Dictionary<string, string>? ExportedAnnotations { get; set; }
}
