using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// Element-wise equality and hashing for the contract records' ImmutableArray members, which compare by reference
/// on their own; a default array counts as empty. The records use it in their own Equals, so <c>==</c> on any
/// contract record compares values.
/// </summary>
public static class Sequence
{
    public static bool Equal<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.AsSpan().SequenceEqual(b.AsSpan(), EqualityComparer<T>.Default);

    public static int Hash<T>(ImmutableArray<T> items)
    {
        var hash = new HashCode();
        foreach (var item in items.AsSpan())
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
