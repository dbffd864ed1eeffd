using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>The ServiceImport one member should hold: the agreeing exports merged, endpoints kept per cluster.</summary>
[GenerateSerializer, Immutable]
public sealed record MergedImport(
    string Namespace,
    string Name,
    long Version,
    string Type,
    string SessionAffinity,
    int? SessionAffinityTimeoutSeconds,
    string? ServiceAccountName,
    ImmutableArray<ImportPort> Ports);

[GenerateSerializer, Immutable]
public sealed record ImportPort(string? Name, string Protocol, int Port, string? AppProtocol, ImmutableArray<ImportEndpoint> Endpoints);

/// <summary>
/// An exporting cluster's gateway plus the export rule's path. Healthy is the service's own health there (its Service
/// has ready endpoints); the member's health travels apart (<see cref="MemberHealth"/>) and is applied when routing is
/// evaluated, so a member's health flip never rewrites a ServiceImport's spec.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportEndpoint(string ClusterKey, string Host, string Ip, int Port, string Path, bool Healthy);
