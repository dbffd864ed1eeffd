namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>Where a writer grain's decisions go: its member's engine (or a recorder in tests).</summary>
public interface IImportWorkSink
{
    /// <summary>Takes one decision; never blocks and never throws for I/O reasons (the engine retries).</summary>
    void Submit(ImportWork work);
}
