using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A member as the directory knows it: what importers need to fan out to it and route to it. HealthSequence is the
/// sequence of the health decision <see cref="Healthy"/> comes from, so a writer can tell it from an older or newer
/// one heard on the health channel.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClusterInfo(string ClusterKey, string Name, bool Managed, bool Healthy, bool Synced, GatewayAddress? Gateway, long HealthSequence = 0);

/// <summary>The gateway of an exporting cluster: what an endpoint in a ServiceImport points at.</summary>
[GenerateSerializer, Immutable]
public sealed record GatewayAddress(string Host, string Ip, int Port);

/// <summary>The live state of a ClusterGrain, for the HTTP API and tests.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterState(
    string ClusterKey,
    string Silo,
    bool Managed,
    string ManagedReason,
    string ManagedMessage,
    bool Healthy,
    string HealthReason,
    ImmutableArray<string> Exports)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ClusterState? other) => ReferenceEquals(this, other) || (other is not null
        && ClusterKey == other.ClusterKey && Silo == other.Silo && Managed == other.Managed && ManagedReason == other.ManagedReason && ManagedMessage == other.ManagedMessage && Healthy == other.Healthy && HealthReason == other.HealthReason && Sequence.Equal(Exports, other.Exports));

    public override int GetHashCode() => HashCode.Combine(ClusterKey, Silo, Managed, ManagedReason, ManagedMessage, Healthy, HealthReason, Sequence.Hash(Exports));
}
