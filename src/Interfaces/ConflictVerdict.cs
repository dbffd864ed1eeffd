namespace ErieCanal.Orleans.Interfaces;

/// <summary>Whether an export disagrees with the others of its service (KEP-1645: the oldest export wins).</summary>
[GenerateSerializer, Immutable]
public sealed record ConflictVerdict(bool Conflict, string Reason, string Message)
{
    public static ConflictVerdict None { get; } = new(false, ConditionReasons.NoConflicts, "all exports of this service agree");
}
