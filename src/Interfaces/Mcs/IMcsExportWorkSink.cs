namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>Where an MCS export grain's decisions go: its member's engine (or a recorder in tests).</summary>
public interface IMcsExportWorkSink
{
    /// <summary>Takes one decision; never blocks and never throws for I/O reasons (the engine retries).</summary>
    void Submit(IMcsExportWork work);
}
