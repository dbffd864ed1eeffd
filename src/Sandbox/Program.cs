using System.Runtime.InteropServices;
using ErieCanal.Orleans.Sandbox.Hosting;

// The sandbox host: several Kubernetes-API-compatible clusters on loopback, with kubeconfigs written to --dir.
var names = new List<string> { "control-plane", "cluster-1", "cluster-2", "cluster-3" };
var directory = ".sandbox";
var controlPort = 0;
var images = new List<ErieCanal.Orleans.Sandbox.Containers.GivenImage>();
string? stateDirectory = null;
var clusterNetwork = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--clusters" when i + 1 < args.Length:
            names = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            break;
        case "--dir" when i + 1 < args.Length:
            directory = args[++i];
            break;
        case "--control-port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var port):
            controlPort = port;
            i++;
            break;
        case "--image" when i + 1 < args.Length:
            // name:tag=path.oci.tar, or path.oci.tar named by its index: pods of it run as runc containers.
            images.Add(ErieCanal.Orleans.Sandbox.Containers.GivenImage.Parse(args[++i]));
            break;
        case "--cluster-network":
            clusterNetwork = true;
            break;
        case "--state-dir" when i + 1 < args.Length:
            stateDirectory = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: sandbox [--clusters a,b,c] [--dir .sandbox] [--control-port N] [--image name:tag=image.oci.tar ...] [--cluster-network] [--state-dir DIR]\n" +
                "  --cluster-network: serve each cluster's DNS (port 53 on its own loopback address) and Service cluster IPs; on whenever an image is given (root)");
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

await using var host = await SandboxHost.StartAsync(names, new SandboxClusterOptions { Images = images, StateDirectory = stateDirectory, ServeClusterNetwork = clusterNetwork || images.Count > 0 }, controlPort: controlPort);
var files = host.WriteKubeconfigs(directory);
foreach (var cluster in host.Clusters)
{
    Console.WriteLine($"cluster {cluster.Name,-16} {cluster.Server}  kubectl --kubeconfig {files[cluster.Name]} get ns  (HTTPS with RBAC: {cluster.SecureServer})");
}

Console.WriteLine($"merged kubeconfig: {files[""]} (one context per cluster: kubectl --kubeconfig {files[""]} --context <name> ...)");
Console.WriteLine($"fault control API: {host.ControlUri}clusters");
Console.WriteLine($"sandbox ready: {host.Clusters.Count} clusters, kubeconfigs in {Path.GetFullPath(directory)}; Ctrl+C stops");

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("sandbox stopped");
return 0;
