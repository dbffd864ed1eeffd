using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// One decision of a member's MCS import writer grain for its engine, about the ServiceImport
/// <see cref="Namespace"/>/<see cref="Name"/> and what hangs off it. Silo-local, never serialized; it lives with the
/// contract because the engine cannot see the grains' assembly. (An interface rather than an abstract record: every
/// contract record keeps a public constructor, which the reflection equality test builds from.)
/// </summary>
public interface IMcsImportWork
{
    string Namespace { get; }

    string Name { get; }
}

/// <summary>Server-side apply of the ServiceImport, whose decided content (<paramref name="SpecHash"/>) changed.</summary>
public sealed record ApplyMcsImport(string Namespace, string Name, McsServiceImportDocument Document, string SpecHash) : IMcsImportWork;

/// <summary>The ServiceImport must not exist in the member (its derived Service and slices go with it).</summary>
public sealed record DeleteMcsImport(string Namespace, string Name) : IMcsImportWork;

/// <summary>Create or update the import's derived Service, whose decided content (<paramref name="Hash"/>) changed.</summary>
public sealed record ApplyMcsDerivedService(string Namespace, string Name, McsDerivedService Service, string Hash) : IMcsImportWork;

/// <summary>The import's derived Service <paramref name="ServiceName"/> must not exist (the import went, or turned Headless); only ours is deleted.</summary>
public sealed record DeleteMcsDerivedService(string Namespace, string Name, string ServiceName) : IMcsImportWork;

/// <summary>
/// The whole MCS EndpointSlice set of one source cluster for the import: the engine writes the slices whose hash
/// changed and deletes that source's other slices of the import (empty: the source left).
/// </summary>
public sealed record SyncMcsSlices(string Namespace, string Name, string SourceCluster, ImmutableArray<McsSliceIntent> Slices) : IMcsImportWork
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(SyncMcsSlices? other) => ReferenceEquals(this, other) || (other is not null
        && Namespace == other.Namespace && Name == other.Name && SourceCluster == other.SourceCluster && Sequence.Equal(Slices, other.Slices));

    public override int GetHashCode() => HashCode.Combine(Namespace, Name, SourceCluster, Sequence.Hash(Slices));
}
