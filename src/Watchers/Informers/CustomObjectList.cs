using System.Text.Json.Serialization;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>The list envelope of a custom resource, so a page deserialises straight into the caller's model.</summary>
internal sealed class CustomObjectList<T>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    [JsonPropertyName("items")]
    public IList<T>? Items { get; set; }
}
