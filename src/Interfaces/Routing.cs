using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// The GlobalTrafficPolicy evaluated for one consuming cluster and service: which endpoints take traffic, with
/// what weight, and which are standbys or unhealthy. Written to the ServiceImport's status.routing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Routing(
    string LbType,
    string? Policy,
    ImmutableArray<RoutePort> Ports,
    int ActiveEndpoints,
    ImmutableArray<string> Problems)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(Routing? other) => ReferenceEquals(this, other) || (other is not null
        && LbType == other.LbType && Policy == other.Policy && ActiveEndpoints == other.ActiveEndpoints && Sequence.Equal(Ports, other.Ports) && Sequence.Equal(Problems, other.Problems));

    public override int GetHashCode() => HashCode.Combine(LbType, Policy, ActiveEndpoints, Sequence.Hash(Ports), Sequence.Hash(Problems));
}

[GenerateSerializer, Immutable]
public sealed record RoutePort(string? Name, string Protocol, int Port, ImmutableArray<RouteEndpoint> Endpoints)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(RoutePort? other) => ReferenceEquals(this, other) || (other is not null
        && Name == other.Name && Protocol == other.Protocol && Port == other.Port && Sequence.Equal(Endpoints, other.Endpoints));

    public override int GetHashCode() => HashCode.Combine(Name, Protocol, Port, Sequence.Hash(Endpoints));
}

[GenerateSerializer, Immutable]
public sealed record RouteEndpoint(string ClusterKey, string Host, string Ip, int Port, string Path, int Weight, string State);

public static class EndpointStates
{
    public const string Active = "Active";
    public const string Standby = "Standby";
    public const string Unhealthy = "Unhealthy";
}

public static class LbTypes
{
    public const string Locality = "Locality";
    public const string ActiveActive = "ActiveActive";
    public const string FailOver = "FailOver";
}
