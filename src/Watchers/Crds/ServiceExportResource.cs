using System.Text.Json.Serialization;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>flomesh.io/v1alpha1 ServiceExport (namespaced, in member clusters).</summary>
public sealed class ServiceExportResource : CustomResource<ServiceExportSpec, ConditionsStatus>
{
    public const string Plural = "serviceexports";

    public ServiceExportResource() => Kind = "ServiceExport";
}

public sealed class ServiceExportSpec
{
    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; set; }

    [JsonPropertyName("rules")]
    public List<ServiceExportRule>? Rules { get; set; }

    [JsonPropertyName("pathRewrite")]
    public PathRewrite? PathRewrite { get; set; }

    [JsonPropertyName("sessionSticky")]
    public bool? SessionSticky { get; set; }

    [JsonPropertyName("loadBalancer")]
    public string? LoadBalancer { get; set; }

    [JsonPropertyName("targetClusters")]
    public List<string>? TargetClusters { get; set; }
}

public sealed class ServiceExportRule
{
    [JsonPropertyName("portNumber")]
    public int PortNumber { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("pathType")]
    public string? PathType { get; set; }
}

public sealed class PathRewrite
{
    [JsonPropertyName("from")]
    public string? From { get; set; }

    [JsonPropertyName("to")]
    public string? To { get; set; }
}

/// <summary>A status holding only conditions (ServiceExport, GlobalTrafficPolicy).</summary>
public sealed class ConditionsStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public List<Condition>? Conditions { get; set; }
}
