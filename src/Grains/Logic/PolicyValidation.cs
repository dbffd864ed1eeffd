namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>The GlobalTrafficPolicy's <c>Valid</c> and <c>ResolvedRefs</c> conditions, ready to write into its status.</summary>
public sealed record PolicyValidation(bool Valid, string ValidReason, string ValidMessage, bool RefsResolved, string RefsReason, string RefsMessage);
