using System.Text.Json.Serialization;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>flomesh.io/v1alpha1 GlobalTrafficPolicy (namespaced, in consuming clusters).</summary>
public sealed class GlobalTrafficPolicyResource : CustomResource<GlobalTrafficPolicySpec, ConditionsStatus>
{
    public const string Plural = "globaltrafficpolicies";

    public GlobalTrafficPolicyResource() => Kind = "GlobalTrafficPolicy";
}

public sealed class GlobalTrafficPolicySpec
{
    [JsonPropertyName("lbType")]
    public string? LbType { get; set; }

    [JsonPropertyName("targets")]
    public List<TrafficTarget>? Targets { get; set; }
}

public sealed class TrafficTarget
{
    [JsonPropertyName("clusterKey")]
    public string ClusterKey { get; set; } = "";

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }
}
