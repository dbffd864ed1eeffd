namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>Where an export grain's decisions go: its member's engine (or a recorder in tests).</summary>
public interface IExportWorkSink
{
    /// <summary>Takes one decision; never blocks and never throws for I/O reasons (the engine retries).</summary>
    void Submit(ExportWork work);
}
