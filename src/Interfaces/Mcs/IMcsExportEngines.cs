namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The silo's MCS export engines, one per member, shared by that member's export grains (as the flomesh
/// <c>MemberExportWriters</c>): implemented by the engines' side and taken by <see cref="IMcsServiceExportGrain"/>.
/// </summary>
public interface IMcsExportEngines
{
    /// <summary>The engine of <paramref name="clusterKey"/>, held until <see cref="Release"/>.</summary>
    IMcsExportWorkSink Acquire(string clusterKey);

    void Release(IMcsExportWorkSink engine);

    /// <summary>Completes once the engine carried out (or failed once) the work submitted so far for the export.</summary>
    Task WhenSettledAsync(IMcsExportWorkSink engine, string ns, string name);
}
