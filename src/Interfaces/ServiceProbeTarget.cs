using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>An exported service of a member with paths on the member's gateway (its Ingress), for the silos to probe.</summary>
[GenerateSerializer, Immutable]
public sealed record ServiceProbeTarget(string ServiceKey, ImmutableArray<string> Paths);
