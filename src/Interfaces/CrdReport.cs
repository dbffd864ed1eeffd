using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// Whether a member's flomesh.io CRDs can hold what the system writes (a real API server prunes fields its schema
/// lacks), which CRDs were upgraded or installed to make them so, and, when not, exactly which CRD and field.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CrdReport(bool Compatible, string Reason, string Message, ImmutableArray<string> Upgraded)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(CrdReport? other) => ReferenceEquals(this, other) || (other is not null
        && Compatible == other.Compatible && Reason == other.Reason && Message == other.Message && Sequence.Equal(Upgraded, other.Upgraded));

    public override int GetHashCode() => HashCode.Combine(Compatible, Reason, Message, Sequence.Hash(Upgraded));
}
