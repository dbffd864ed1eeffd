using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// The catch-all route re-pointed at each backend, made once per backend rather than per request. A model is
/// reused while YARP keeps the same catch-all route model and cluster state; a routing rebuild starts afresh, so
/// the models of removed backends go with the old table.
/// </summary>
internal sealed class BackendRouteModels
{
    private volatile ConcurrentDictionary<ClusterState, RouteModel> _models = new(ReferenceEqualityComparer.Instance);

    public RouteModel For(RouteModel catchAll, ClusterState cluster)
    {
        var models = _models;
        if (models.TryGetValue(cluster, out var model) && ReferenceEquals(model.Config, catchAll.Config) && ReferenceEquals(model.Transformer, catchAll.Transformer))
        {
            return model;
        }

        model = new RouteModel(catchAll.Config, cluster, catchAll.Transformer);
        models[cluster] = model;
        return model;
    }

    public void Reset() => _models = new(ReferenceEqualityComparer.Instance);
}
