using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// A string map (exported labels or annotations), kept as pairs sorted by key (ordinal) so that it compares and
/// hashes by value and serializes the same way whatever order it was built in. Build it with <see cref="From"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsMap(ImmutableArray<McsMapEntry> Entries)
{
    public static McsMap Empty { get; } = new(ImmutableArray<McsMapEntry>.Empty);

    /// <summary>The map of <paramref name="pairs"/>; null is empty, a repeated key keeps its last value.</summary>
    public static McsMap From(IEnumerable<KeyValuePair<string, string>>? pairs)
    {
        if (pairs is null)
            return Empty;

        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            sorted[key] = value;
        }

        return new([.. sorted.Select(p => new McsMapEntry(p.Key, p.Value))]);
    }

    public int Count => Entries.IsDefault ? 0 : Entries.Length;

    public IReadOnlyDictionary<string, string> ToDictionary() =>
        (Entries.IsDefault ? [] : Entries).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>By value, entries element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsMap? other) => ReferenceEquals(this, other) || (other is not null && Sequence.Equal(Entries, other.Entries));

    public override int GetHashCode() => Sequence.Hash(Entries);
}

[GenerateSerializer, Immutable]
public sealed record McsMapEntry(string Key, string Value);
