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
    ImmutableArray<string> TargetClusters);

[GenerateSerializer, Immutable]
public sealed record ContributedPort(string? Name, string Protocol, int Port, string? AppProtocol, string Path);
