using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.ControlPlane;

namespace ErieCanal.Orleans.Silo.Api;

/// <summary>
/// The silo's HTTP API: liveness and readiness for the StatefulSet's probes, and read-only views of the members and
/// of the evaluated routing, so a gateway or mesh can read routes without talking Kubernetes.
/// </summary>
public static class ReconcilerApi
{
    public static WebApplication MapReconcilerApi(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));

        // Ready = this silo can serve: Active in the Orleans membership (not joining, not shutting down) and its view
        // of the control plane's Clusters complete.
        app.MapGet("/readyz", (ClusterWatcher watcher, IClusterMembershipService membership, ILocalSiloDetails local) =>
            membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) is var status && status != SiloStatus.Active
                ? Results.Text($"this silo is {status} in the Orleans membership", statusCode: StatusCodes.Status503ServiceUnavailable)
                : watcher.Synced
                    ? Results.Text("ok")
                    : Results.Text("control-plane watch not synced yet", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/api/v1/clusters", async (IGrainFactory grains) =>
            Results.Ok(await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters()));

        app.MapGet("/api/v1/clusters/{region}/{zone}/{group}/{name}", async (string region, string zone, string group, string name, IGrainFactory grains) =>
            Results.Ok(await grains.GetGrain<IClusterGrain>(ClusterKeys.Format(region, zone, group, name)).GetState()));

        app.MapGet("/api/v1/routing/{region}/{zone}/{group}/{name}/{ns}/{service}", async (string region, string zone, string group, string name, string ns, string service, IGrainFactory grains) =>
        {
            var routing = await grains.GetGrain<IImportWriterGrain>(ClusterKeys.Format(region, zone, group, name)).GetRouting(ns, service);
            return routing is null ? Results.NotFound(new { message = $"no ServiceImport {ns}/{service} in {name}" }) : Results.Ok(routing);
        });

        app.MapGet("/api/v1/services/{ns}/{service}", async (string ns, string service, IGrainFactory grains) =>
        {
            // The index's version is what every writer's repair goes by: a service missing there is repaired nowhere.
            var key = ServiceKeys.Service(ns, service);
            var contributors = await grains.GetGrain<IServiceImportGrain>(key).GetContributors();
            var indexed = await grains.GetGrain<IServiceIndexGrain>(ServiceKeys.IndexShard(key)).GetAll();
            return Results.Ok(new { contributors, indexedVersion = indexed.GetValueOrDefault(key) });
        });
        return app;
    }
}
