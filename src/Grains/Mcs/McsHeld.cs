using System.Collections.Immutable;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// What a member holds for one MCS import, as content hashes: the ServiceImport's, the derived Service's (null: none)
/// and each source cluster's slice set. The writer keeps what it sent; a repair replaces it with what was read back.
/// </summary>
public sealed record McsHeld(string? ImportHash, string? DerivedServiceHash, ImmutableSortedDictionary<string, string> SliceSets)
{
    public static McsHeld Nothing { get; } = new(null, null, ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal));

    public bool IsNothing => ImportHash is null && DerivedServiceHash is null && SliceSets.IsEmpty;
}
