using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>The downward API's fieldRef paths, read off the pod as the kubelet sees it.</summary>
public static partial class PodFieldPath
{
    public static string Resolve(JsonObject pod, string path)
    {
        if (MapEntry().Match(path) is { Success: true } entry)
        {
            return pod["metadata"]?[entry.Groups[1].Value]?[entry.Groups[2].Value]?.GetValue<string>() ?? "";
        }

        return path switch
        {
            "metadata.name" => Text(pod["metadata"]?["name"]),
            "metadata.namespace" => Text(pod["metadata"]?["namespace"]),
            "metadata.uid" => Text(pod["metadata"]?["uid"]),
            "metadata.labels" => Map(pod["metadata"]?["labels"]),
            "metadata.annotations" => Map(pod["metadata"]?["annotations"]),
            "spec.nodeName" => Text(pod["spec"]?["nodeName"]),
            "spec.serviceAccountName" => Text(pod["spec"]?["serviceAccountName"] ?? "default"),
            "status.podIP" => Text(pod["status"]?["podIP"]),
            "status.hostIP" => Text(pod["status"]?["hostIP"]),
            "status.hostIPs" => string.Join(',', (pod["status"]?["hostIPs"] as JsonArray ?? []).Select(i => Text(i?["ip"]))),
            "status.podIPs" => string.Join(',', (pod["status"]?["podIPs"] as JsonArray ?? []).Select(i => Text(i?["ip"]))),
            _ => throw new ContainerConfigException($"unsupported fieldPath: {path}"),
        };
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    /// <summary>The downward API file format of labels and annotations: key="value" lines, sorted.</summary>
    private static string Map(JsonNode? node) => string.Join('\n', (node as JsonObject ?? [])
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Key}=\"{p.Value?.GetValue<string>().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\""));

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(.+)'\]$")]
    private static partial Regex MapEntry();
}
