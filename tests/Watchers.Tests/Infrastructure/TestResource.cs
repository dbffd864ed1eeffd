using System.Text.Json.Serialization;
using System.Text.Json;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>A minimal model for any custom resource: the spec stays raw JSON.</summary>
public sealed class TestResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "flomesh.io/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonElement? Spec { get; set; }

    public string? SpecString(string property) =>
        Spec is { ValueKind: JsonValueKind.Object } spec && spec.TryGetProperty(property, out var value) ? value.GetString() : null;
}
