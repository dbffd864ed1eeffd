using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>One EndpointSlice of an exported Service in its own cluster (or, filtered, as it is mirrored to members).</summary>
[GenerateSerializer, Immutable]
public sealed record McsEndpointSlice(string AddressType, ImmutableArray<McsSlicePort> Ports, ImmutableArray<McsEndpoint> Endpoints)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsEndpointSlice? other) => ReferenceEquals(this, other) || (other is not null
        && AddressType == other.AddressType && Sequence.Equal(Ports, other.Ports) && Sequence.Equal(Endpoints, other.Endpoints));

    public override int GetHashCode() => HashCode.Combine(AddressType, Sequence.Hash(Ports), Sequence.Hash(Endpoints));
}

/// <summary>A port of an EndpointSlice: <see cref="Port"/> is the target port on the endpoints, as in EndpointSlices.</summary>
[GenerateSerializer, Immutable]
public sealed record McsSlicePort(string? Name, string Protocol, int? Port, string? AppProtocol);

/// <summary>An endpoint of an EndpointSlice with its conditions; <see cref="Hostname"/> names StatefulSet pods in DNS.</summary>
[GenerateSerializer, Immutable]
public sealed record McsEndpoint(
    ImmutableArray<string> Addresses,
    string? Hostname,
    bool Ready,
    bool Serving,
    bool Terminating,
    string? Zone,
    string? NodeName)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsEndpoint? other) => ReferenceEquals(this, other) || (other is not null
        && Hostname == other.Hostname && Ready == other.Ready && Serving == other.Serving && Terminating == other.Terminating && Zone == other.Zone && NodeName == other.NodeName && Sequence.Equal(Addresses, other.Addresses));

    public override int GetHashCode() => HashCode.Combine(Hostname, Ready, Serving, Terminating, Zone, NodeName, Sequence.Hash(Addresses));
}
