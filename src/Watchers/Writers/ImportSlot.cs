namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The latest decision for one ServiceImport: its spec and routing, or its deletion. Decisions arrive faster than a
/// slow member takes writes, so each object keeps only what its next write needs; merging is pure and in one place.
/// </summary>
public sealed record ImportSlot
{
    public static ImportSlot Empty { get; } = new();

    public ApplyImport? Apply { get; init; }

    public PatchRouting? Routing { get; init; }

    public bool Delete { get; init; }

    /// <summary>This slot with <paramref name="work"/> merged in: the newest spec, the newest routing, or a delete.</summary>
    public ImportSlot Merge(ImportWork work) => work switch
    {
        ApplyImport apply => this with { Apply = apply, Delete = false },

        // Causes of a routing not written yet stay known: the Event of the transition still needs them.
        PatchRouting routing => this with { Routing = routing with { Causes = Routing is { } pending ? pending.Causes.SetItems(routing.Causes) : routing.Causes } },
        DeleteImport => new ImportSlot { Delete = true },
        _ => throw new ArgumentException($"{work.GetType().Name} is no ServiceImport work", nameof(work)),
    };
}
