namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>One item of a <see cref="MemberEngine"/>'s queue: a member's status, one of its Events, its cluster id, or its teardown.</summary>
public readonly record struct MemberWorkKey(string ClusterKey, MemberWorkKind Kind, long Sequence = 0)
{
    public override string ToString() => Kind == MemberWorkKind.Event ? $"{ClusterKey} event {Sequence}" : $"{ClusterKey} {Kind.ToString().ToLowerInvariant()}";
}

public enum MemberWorkKind
{
    Status,
    Event,
    Teardown,
    Identity,
}
