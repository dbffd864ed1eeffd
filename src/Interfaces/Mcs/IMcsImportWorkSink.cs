namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>Where a member's MCS import writer grain's decisions go: its engine (or a recorder in tests).</summary>
public interface IMcsImportWorkSink
{
    /// <summary>Takes one decision; never blocks and never throws for I/O reasons (the engine retries).</summary>
    void Submit(IMcsImportWork work);
}
