using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>KubernetesClient's custom-object results and errors as JSON nodes.</summary>
public static class CustomObjectJson
{
    public static JsonNode ToNode(object result) => JsonNode.Parse(JsonSerializer.Serialize(result))!;

    /// <summary>The causes of a 422 as "field: message" lines.</summary>
    public static IReadOnlyList<string> Causes(HttpOperationException error) =>
        (JsonNode.Parse(error.Response.Content)?["details"]?["causes"] as JsonArray ?? [])
            .Select(c => $"{(string?)c?["field"]}: {(string?)c?["message"]}").ToList();
}
