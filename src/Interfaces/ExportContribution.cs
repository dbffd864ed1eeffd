using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// What one valid ServiceExport adds to the ServiceImport of its namespace/name. <see cref="Healthy"/> is the
/// service's own health (its Service has ready endpoints); the member's health is applied when routing is evaluated.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ExportContribution(
    string ClusterKey,
    DateTimeOffset CreatedAt,
    string Type,
    string SessionAffinity,
    int? SessionAffinityTimeoutSeconds,
    string? ServiceAccountName,
    ImmutableArray<ContributedPort> Ports,
    GatewayAddress Gateway,
    bool Healthy,
    ImmutableArray<string> TargetClusters)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ExportContribution? other) => ReferenceEquals(this, other) || (other is not null
        && ClusterKey == other.ClusterKey && CreatedAt == other.CreatedAt && Type == other.Type && SessionAffinity == other.SessionAffinity && SessionAffinityTimeoutSeconds == other.SessionAffinityTimeoutSeconds && ServiceAccountName == other.ServiceAccountName && Gateway == other.Gateway && Healthy == other.Healthy && Sequence.Equal(Ports, other.Ports) && Sequence.Equal(TargetClusters, other.TargetClusters));

    public override int GetHashCode() => HashCode.Combine(HashCode.Combine(ClusterKey, CreatedAt, Type, SessionAffinity, SessionAffinityTimeoutSeconds, ServiceAccountName, Gateway), Healthy, Sequence.Hash(Ports), Sequence.Hash(TargetClusters));
}

[GenerateSerializer, Immutable]
public sealed record ContributedPort(string? Name, string Protocol, int Port, string? AppProtocol, string Path);
