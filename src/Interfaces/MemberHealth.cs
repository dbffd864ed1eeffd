namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A member's health as its ClusterGrain decided it (majority of silos, hysteresis), on the health channel
/// (<see cref="ChannelNames.Health"/>): writers re-evaluate routing with it and patch ServiceImport status only.
/// <see cref="Sequence"/> grows with every decision of that member, so a writer drops stale or repeated ones.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MemberHealth(string ClusterKey, bool Healthy, long Sequence);
