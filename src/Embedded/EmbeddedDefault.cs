using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Embedded;

/// <summary>
/// What the embedded host does before the silo starts: the sandbox with its members and their data planes, from the
/// <c>Embedded:*</c> settings, and the silo pointed at the sandbox's control plane.
/// </summary>
public static class EmbeddedDefault
{
    public static async Task<IAsyncDisposable?> StartAsync(ConfigurationManager configuration)
    {
        var directory = configuration["Embedded:Directory"] ?? ".sandbox";
        var members = (configuration["Embedded:Members"] ?? "cluster-1,cluster-2,cluster-3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var controlPort = int.TryParse(configuration["Embedded:ControlPort"], out var port) ? port : 0;

        // Images given as OCI archives ([name:tag=]path.oci.tar, comma-separated, as the sandbox's --image) run their
        // pods as real containers (root, runc) on the served cluster network: DNS for cluster.local and, through each
        // member's stub zone, clusterset.local, so `kubectl exec … nslookup` asks a real resolver.
        var images = (configuration["Embedded:Images"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(GivenImage.Parse).ToList();
        var options = images.Count == 0 ? null : new SandboxClusterOptions
        {
            Images = images,
            ImageCacheDirectory = Path.Combine(directory, "images"),
            ServeClusterNetwork = true,
        };
        var embedded = await EmbeddedEnvironment.StartAsync(members, directory, options: options, controlPort: controlPort);
        configuration["ErieCanal:ControlPlaneKubeconfig"] = embedded.ControlPlaneKubeconfig;
        Console.WriteLine("Embedded sandbox is up (for a real control plane run src/Silo with ErieCanal__ControlPlaneKubeconfig set):");
        foreach (var cluster in embedded.Sandbox.Clusters)
        {
            Console.WriteLine($"  kubectl --kubeconfig {embedded.Kubeconfigs[cluster.Name]} get {(cluster.Name == EmbeddedEnvironment.ControlPlaneName ? "clusters" : "serviceimports -A")}");
        }

        foreach (var (name, dataPlane) in embedded.DataPlane)
        {
            Console.WriteLine($"  {name}: client-side proxy {dataPlane.Proxy?.Address} (curl -x {dataPlane.Proxy?.Address} http://<svc>.<ns>:<port>/), gateway at 127.0.0.1:{embedded.Sandbox[name].Gateway.Port}");
            if (dataPlane.Dns is { } dns)
            {
                Console.WriteLine($"  {name}: clusterset.local DNS at {dns.EndPoint} (dig @{dns.EndPoint.Address} -p {dns.EndPoint.Port} <svc>.<ns>.svc.clusterset.local)");
            }
        }

        Console.WriteLine($"  merged kubeconfig: {embedded.Kubeconfigs[""]} (contexts: {string.Join(", ", embedded.Sandbox.Clusters.Select(c => c.Name))})");
        Console.WriteLine($"  fault control API: {embedded.Sandbox.ControlUri}clusters");
        return embedded;
    }
}
