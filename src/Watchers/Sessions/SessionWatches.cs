using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Mcs;
using Microsoft.Extensions.Logging;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The informers of a serving member session: ServiceExports, Services, EndpointSlices and Ingresses feed its
/// observations and mark services dirty; GlobalTrafficPolicies go to the member's writer through
/// <see cref="Policies"/>. With <c>mcs</c>, multicluster.x-k8s.io ServiceExports too, and the Services and slices mark
/// their MCS exports dirty as well. Each reports its sync and failures through its own <see cref="WatchState"/>.
/// </summary>
internal sealed class SessionWatches
{
    private readonly List<WatchState> _states = [];
    private readonly List<Task> _running = [];

    private SessionWatches(IMemberSink sink) => Policies = new PolicyHandler(sink);

    public PolicyHandler Policies { get; }

    public IReadOnlyList<WatchState> States => _states;

    /// <summary>The informers, running until the session is cancelled.</summary>
    public Task Running => Task.WhenAll(_running);

    public static SessionWatches Start(IKubernetes client, string memberName, MemberObservations observations, Action<string> markDirty, IMemberSink sink,
        Action changed, InformerOptions options, ILogger logger, TimeProvider time, CancellationToken cancellationToken, McsObservations? mcs = null)
    {
        var watches = new SessionWatches(sink);
        void Run<T>(IResourceSource<T> source, IInformerHandler<T> handler)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var state = new WatchState(changed);
            watches._states.Add(state);
            var informer = new ResourceInformer<T>(new ReportingSource<T>(source, state, cancellationToken), new SyncReporting<T>(handler, state), options, logger, time);
            watches._running.Add(informer.RunAsync(cancellationToken));
        }

        Run(ResourceSources.Custom<ServiceExportResource>(client, ServiceExportResource.Group, ServiceExportResource.Version, ServiceExportResource.Plural, namespaced: true, $"serviceexports on {memberName}"),
            new ObservationHandler<ServiceExportResource>(markDirty, (o, present) => observations.SetExport(o, present)));
        Run(ResourceSources.Services(client, $"services on {memberName}"), new ObservationHandler<V1Service>(markDirty, (o, present) =>
        {
            var key = observations.SetService(o, present);
            Mark(mcs?.ServiceChanged(o));
            return key;
        }));
        Run(ResourceSources.EndpointSlices(client, $"endpointslices on {memberName}"), new ObservationHandler<V1EndpointSlice>(markDirty, (o, present) =>
        {
            Mark(mcs?.SetSlice(o, present));
            return observations.SetSlice(o, present);
        }));
        Run(ResourceSources.Ingresses(client, $"ingresses on {memberName}"), new IngressHandler(markDirty, observations));
        Run(ResourceSources.Custom<GlobalTrafficPolicyResource>(client, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, GlobalTrafficPolicyResource.Plural, namespaced: true, $"globaltrafficpolicies on {memberName}"),
            watches.Policies);
        if (mcs is not null)
        {
            Run(ResourceSources.Custom<McsServiceExportResource>(client, McsNames.Group, McsNames.Version, McsNames.ServiceExports, namespaced: true, $"{McsNames.ServiceExports}.{McsNames.Group} on {memberName}"),
                new ObservationHandler<McsServiceExportResource>(markDirty, mcs.SetExport));
        }

        return watches;

        void Mark(string? key)
        {
            if (key is not null)
            {
                markDirty(key);
            }
        }
    }
}
