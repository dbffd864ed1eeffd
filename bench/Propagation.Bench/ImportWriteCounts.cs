namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>Committed ServiceImport changes over all members in one window, by <see cref="ImportWriteKind"/>.</summary>
public sealed record ImportWriteCounts(long Creates, long Spec, long Metadata, long Status, long Bookkeeping, long Deletes)
{
    /// <summary>Writes of the main resource that changed it (what a health flip should not cause).</summary>
    public long MainResource => Spec + Metadata + Bookkeeping;

    public long Total => Creates + Spec + Metadata + Status + Bookkeeping + Deletes;
}
