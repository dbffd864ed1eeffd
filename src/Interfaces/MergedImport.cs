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
    ImmutableArray<ImportPort> Ports)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(MergedImport? other) => ReferenceEquals(this, other) || (other is not null
        && Namespace == other.Namespace && Name == other.Name && Version == other.Version && Type == other.Type && SessionAffinity == other.SessionAffinity && SessionAffinityTimeoutSeconds == other.SessionAffinityTimeoutSeconds && ServiceAccountName == other.ServiceAccountName && Sequence.Equal(Ports, other.Ports));

    public override int GetHashCode() => HashCode.Combine(Namespace, Name, Version, Type, SessionAffinity, SessionAffinityTimeoutSeconds, ServiceAccountName, Sequence.Hash(Ports));
}

[GenerateSerializer, Immutable]
public sealed record ImportPort(string? Name, string Protocol, int Port, string? AppProtocol, ImmutableArray<ImportEndpoint> Endpoints)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ImportPort? other) => ReferenceEquals(this, other) || (other is not null
        && Name == other.Name && Protocol == other.Protocol && Port == other.Port && AppProtocol == other.AppProtocol && Sequence.Equal(Endpoints, other.Endpoints));

    public override int GetHashCode() => HashCode.Combine(Name, Protocol, Port, AppProtocol, Sequence.Hash(Endpoints));
}

/// <summary>
/// An exporting cluster's gateway plus the export rule's path. Healthy is the service's own health there (its Service
/// has ready endpoints); the member's health travels apart (<see cref="MemberHealth"/>) and is applied when routing is
/// evaluated, so a member's health flip never rewrites a ServiceImport's spec.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportEndpoint(string ClusterKey, string Host, string Ip, int Port, string Path, bool Healthy);
