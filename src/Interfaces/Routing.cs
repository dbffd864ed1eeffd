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
    ImmutableArray<string> Problems);

[GenerateSerializer, Immutable]
public sealed record RoutePort(string? Name, string Protocol, int Port, ImmutableArray<RouteEndpoint> Endpoints);

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
