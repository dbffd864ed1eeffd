using Orleans.Concurrency;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// One multicluster.x-k8s.io ServiceExport in one member (key: <c>clusterKey|namespace/name</c>). Decides Valid,
/// Ready and Conflict, contributes to the <see cref="IMcsServiceImportGrain"/> of its service, and has its member's
/// engine write the conditions.
/// </summary>
[Alias("ErieCanal.IMcsServiceExportGrain")]
public interface IMcsServiceExportGrain : IGrainWithStringKey
{
    [Alias("Observe")]
    Task Observe(McsExportObservation observation);

    /// <summary>One-way: the import grain tells every export the service's verdict without waiting on any of them.</summary>
    [Alias("SetVerdict")]
    [OneWay]
    Task SetVerdict(McsExportVerdict verdict);

    /// <summary>The member left: withdraw the contribution and clear the conditions this system wrote.</summary>
    [Alias("MemberLeft")]
    Task MemberLeft();

    /// <summary>One-way, from an import grain that read its state back from the store: send the contribution again.</summary>
    [Alias("Reconfirm")]
    [OneWay]
    Task Reconfirm();

    /// <summary>The conditions the export carries as decided (null: not observed, or deleted).</summary>
    [Alias("GetConditions")]
    Task<McsExportConditions?> GetConditions();
}
