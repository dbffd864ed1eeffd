using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>A GlobalTrafficPolicy of a consuming cluster.</summary>
[GenerateSerializer, Immutable]
public sealed record TrafficPolicySpec(string LbType, ImmutableArray<PolicyTarget> Targets, long Generation);

[GenerateSerializer, Immutable]
public sealed record PolicyTarget(string ClusterKey, int? Weight);
