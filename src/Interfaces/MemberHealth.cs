namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A member's health as its ClusterGrain decided it (majority of silos, hysteresis), on the health channel
/// (<see cref="ChannelNames.Health"/>): writers re-evaluate routing with it and patch ServiceImport status only.
/// <see cref="Sequence"/> grows with every decision of that member, so a writer drops stale or repeated ones.
/// <see cref="Reason"/> is the condition reason of the decision (<see cref="ConditionReasons"/>); <see cref="Since"/> is
/// when the first probe round of the streak that led to it was judged (the fault or the recovery first seen), so a
/// writer can tell how long the change took to reach its member.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MemberHealth(string ClusterKey, bool Healthy, long Sequence, string Reason = "", DateTimeOffset Since = default);
