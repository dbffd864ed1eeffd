namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One member cluster (key: clusterKey). Connects to the member, runs its watchers, probes its health and reports
/// Managed/Healthy on the Cluster object. Kept alive by the control-plane watchers' periodic resync, so it comes
/// back on a surviving silo when its silo dies.
/// </summary>
[Alias("ErieCanal.IClusterGrain")]
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>The Cluster object as last listed or watched; older resourceVersions are ignored.</summary>
    [Alias("Upsert")]
    Task Upsert(ClusterSpec spec);

    /// <summary>The Cluster object is gone: stop watching and withdraw everything the member contributed.</summary>
    [Alias("Remove")]
    Task Remove();

    /// <summary>A health probe result from one silo.</summary>
    [Alias("ReportProbe")]
    Task ReportProbe(string silo, bool apiServerOk, bool gatewayOk);

    /// <summary>The kubeconfig to reach the member with, or null when it is not (yet) known.</summary>
    [Alias("GetKubeconfig")]
    Task<string?> GetKubeconfig();

    [Alias("GetState")]
    Task<ClusterState> GetState();
}
