using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// Where a member session sends its MCS export observations (the member's MCS export grains, or a recorder in
/// tests). A failed call throws; the session retries it.
/// </summary>
public interface IMcsExportObserver
{
    /// <summary>One MCS export's full observation (<paramref name="serviceKey"/>: namespace/name) in member <paramref name="clusterKey"/>.</summary>
    Task Observe(string clusterKey, string serviceKey, McsExportObservation observation);
}
