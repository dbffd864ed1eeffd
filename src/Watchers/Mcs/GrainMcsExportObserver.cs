using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>The silo's MCS export observer: each observation goes to the export's <see cref="IMcsServiceExportGrain"/>.</summary>
public sealed class GrainMcsExportObserver(IGrainFactory grains) : IMcsExportObserver
{
    public Task Observe(string clusterKey, string serviceKey, McsExportObservation observation)
    {
        var (ns, name) = ServiceKeys.ParseService(serviceKey);
        return grains.GetGrain<IMcsServiceExportGrain>(ServiceKeys.Export(clusterKey, ns, name)).Observe(observation);
    }
}
