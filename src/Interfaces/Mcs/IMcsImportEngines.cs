namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The silo's MCS import engines, one per member (as the flomesh <c>MemberImportWriters</c>): implemented by the
/// engines' side and driven by <see cref="IMcsImportWriterGrain"/>.
/// </summary>
public interface IMcsImportEngines
{
    /// <summary>Starts (or takes) the member's engine.</summary>
    IMcsImportWorkSink Activate(string clusterKey);

    /// <summary>Lets the engine stop once its work settled.</summary>
    Task DeactivateAsync(IMcsImportWorkSink engine);

    /// <summary>The member left: the engine lets writes in flight finish, then deletes every MCS object it wrote there.</summary>
    Task RetireAsync(IMcsImportWorkSink engine);
}
