using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>A GlobalTrafficPolicy of a consuming cluster.</summary>
[GenerateSerializer, Immutable]
public sealed record TrafficPolicySpec(string LbType, ImmutableArray<PolicyTarget> Targets, long Generation)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(TrafficPolicySpec? other) => ReferenceEquals(this, other) || (other is not null
        && LbType == other.LbType && Generation == other.Generation && Sequence.Equal(Targets, other.Targets));

    public override int GetHashCode() => HashCode.Combine(LbType, Generation, Sequence.Hash(Targets));
}

[GenerateSerializer, Immutable]
public sealed record PolicyTarget(string ClusterKey, int? Weight);
