using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>flomesh.io/v1alpha1 ServiceImport (namespaced, written into every member by the system).</summary>
public sealed class ServiceImportResource : CustomResource<ServiceImportSpec, ServiceImportStatus>
{
    public const string Plural = "serviceimports";

    /// <summary>Marks the ServiceImports this system owns, so repair never touches anyone else's.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "erie-canal-orleans";

    /// <summary>The version of the merged import the spec was last written from (not rewritten when only health moved).</summary>
    public const string VersionAnnotation = "flomesh.io/import-version";

    /// <summary>A hash of the spec as written: the writer applies a spec only when its content changed.</summary>
    public const string SpecHashAnnotation = "flomesh.io/spec-hash";

    public ServiceImportResource() => Kind = "ServiceImport";
}

public sealed class ServiceImportSpec
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("ports")]
    public List<ServiceImportPort>? Ports { get; set; }

    [JsonPropertyName("sessionAffinity")]
    public string? SessionAffinity { get; set; }

    [JsonPropertyName("sessionAffinityConfig")]
    public JsonObject? SessionAffinityConfig { get; set; }

    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; set; }
}

public sealed class ServiceImportPort
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    [JsonPropertyName("appProtocol")]
    public string? AppProtocol { get; set; }

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("endpoints")]
    public List<ServiceImportEndpoint>? Endpoints { get; set; }
}

public sealed class ServiceImportEndpoint
{
    [JsonPropertyName("clusterKey")]
    public string ClusterKey { get; set; } = "";

    [JsonPropertyName("target")]
    public ServiceImportTarget Target { get; set; } = new();
}

public sealed class ServiceImportTarget
{
    [JsonPropertyName("host")]
    public string? Host { get; set; }

    [JsonPropertyName("ip")]
    public string? Ip { get; set; }

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }
}

public sealed class ServiceImportStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("routing")]
    public JsonObject? Routing { get; set; }

    [JsonPropertyName("conditions")]
    public List<Condition>? Conditions { get; set; }
}
