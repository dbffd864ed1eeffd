using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Silo.Api;
using ErieCanal.Orleans.Silo.Embedded;
using ErieCanal.Orleans.Silo.Hosting;
using ErieCanal.Orleans.Silo.Observability;
using ErieCanal.Orleans.Silo.Security;
using Orleans.Configuration;

// Settings ship next to the binary, whatever directory the silo is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var configuration = builder.Configuration;
var inCluster = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));

// No control plane configured and not in a pod: the embedded default, an in-process sandbox.
EmbeddedEnvironment? embedded = null;
if (string.IsNullOrEmpty(configuration["ErieCanal:ControlPlaneKubeconfig"]) && !inCluster)
{
    var directory = configuration["Embedded:Directory"] ?? ".sandbox";
    var members = (configuration["Embedded:Members"] ?? "cluster-1,cluster-2,cluster-3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    embedded = await EmbeddedEnvironment.StartAsync(members, directory, controlPort: int.TryParse(configuration["Embedded:ControlPort"], out var cp) ? cp : 0);
    configuration["ErieCanal:ControlPlaneKubeconfig"] = embedded.ControlPlaneKubeconfig;
    Console.WriteLine("Embedded sandbox is up (the default; set ErieCanal__ControlPlaneKubeconfig to use a real control plane):");
    foreach (var cluster in embedded.Sandbox.Clusters)
    {
        Console.WriteLine($"  kubectl --kubeconfig {embedded.Kubeconfigs[cluster.Name]} get {(cluster.Name == EmbeddedEnvironment.ControlPlaneName ? "clusters" : "serviceimports -A")}");
    }

    foreach (var (name, dataPlane) in embedded.DataPlane)
    {
        Console.WriteLine($"  {name}: client-side proxy {dataPlane.Proxy?.Address} (curl -x {dataPlane.Proxy?.Address} http://<svc>.<ns>:<port>/), gateway at 127.0.0.1:{embedded.Sandbox[name].Gateway.Port}");
    }

    Console.WriteLine($"  merged kubeconfig: {embedded.Kubeconfigs[""]} (contexts: {string.Join(", ", embedded.Sandbox.Clusters.Select(c => c.Name))})");
    Console.WriteLine($"  fault control API: {embedded.Sandbox.ControlUri}clusters");
}

builder.UseOrleans(silo =>
{
    // Membership (Redis, Azure Table or localhost) and grain state share one store; see docs/storage.md.
    // Storage first: it refuses both stores set, or a malformed connection string, before anything uses them.
    silo.AddErieCanalStorage(configuration);
    silo.UseErieCanalClustering(configuration, inCluster);

    if (configuration["Orleans:SiloName"] is { Length: > 0 } siloName)
    {
        silo.Configure<SiloOptions>(o => o.SiloName = siloName);
    }

    silo.AddErieCanal(configuration);
    silo.AddErieCanalDashboard(configuration);
});

builder.Services.AddErieCanalTelemetry(configuration);
builder.UseErieCanalListeners();
builder.AddErieCanalSecurity();

var app = builder.Build();
app.MapReconcilerApi();
app.MapErieCanalMetrics();
app.MapErieCanalDashboard();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"ErieCanal.Orleans silo is running; API on {string.Join(", ", app.Urls)} (GET /api/v1/clusters, GET /metrics). Ctrl+C stops."));
await app.RunAsync();
if (embedded is not null)
{
    await embedded.DisposeAsync();
}
