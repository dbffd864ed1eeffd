using System.Text.Json.Serialization;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>
/// The part of a <c>multicluster.x-k8s.io/v1beta1</c> ServiceImport the member's components read: its type, its
/// cluster-set IPs and its ports. Unknown fields are ignored, so newer mcs-api versions still deserialise.
/// </summary>
public sealed class McsServiceImport : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = McsNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = McsNames.ServiceImportKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public McsServiceImportSpec Spec { get; set; } = new();
}

public sealed class McsServiceImportSpec
{
    /// <summary><c>ClusterSetIP</c> or <c>Headless</c> (<see cref="McsNames.ImportTypes"/>).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>The cluster-set IPs (one per family; the derived Service's clusterIPs), empty until allocated.</summary>
    [JsonPropertyName("ips")]
    public List<string>? Ips { get; set; }

    [JsonPropertyName("ports")]
    public List<McsServicePort>? Ports { get; set; }
}

public sealed class McsServicePort
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>TCP, UDP or SCTP; TCP when unset, as for a Service port.</summary>
    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    [JsonPropertyName("appProtocol")]
    public string? AppProtocol { get; set; }

    [JsonPropertyName("port")]
    public int Port { get; set; }
}
