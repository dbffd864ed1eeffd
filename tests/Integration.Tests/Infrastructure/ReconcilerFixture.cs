using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Embedded;
using k8s;
using Orleans.TestingHost;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// The system as it runs for real, shrunk to one process: a sandbox control plane with three members (CRDs,
/// gateways, Cluster objects as in the seed) and an Orleans test cluster of two silos running the reconciler.
/// </summary>
public class ReconcilerFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-tests", Guid.NewGuid().ToString("N"));

    public EmbeddedEnvironment Environment { get; private set; } = null!;

    /// <summary>The running silos; a restart test replaces them.</summary>
    public TestCluster Silos { get; set; } = null!;

    /// <summary>A fixed Orleans ServiceId (state in Redis is scoped by it), or null for a random one.</summary>
    protected virtual string? FixedServiceId => null;

    /// <summary>Redis connection string for grain storage, or null for in-memory storage.</summary>
    protected virtual string? Redis => null;

    protected virtual bool RegisterMembers => true;

    /// <summary>Settings a fixture adds to (or overrides in) every silo's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string> SiloSettings { get; } = new Dictionary<string, string>();

    public virtual async Task InitializeAsync()
    {
        Environment = await EmbeddedEnvironment.StartAsync(["cluster-1", "cluster-2", "cluster-3"], _directory, RegisterMembers,
            new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromSeconds(1), PodReadyDelay = TimeSpan.FromMilliseconds(100) });
        Silos = await StartSilosAsync(FixedServiceId);
    }

    public async Task<TestCluster> StartSilosAsync(string? serviceId = null)
    {
        var builder = new TestClusterBuilder(2);
        if (serviceId is not null)
        {
            builder.Options.ServiceId = serviceId;
        }

        builder.Properties["ErieCanal:ControlPlaneKubeconfig"] = Environment.ControlPlaneKubeconfig;
        builder.Properties["ErieCanal:ResyncInterval"] = "00:00:02";
        builder.Properties["ErieCanal:RepairInterval"] = "00:00:03";
        builder.Properties["ErieCanal:RequestTimeout"] = "00:00:05";
        builder.Properties["ErieCanal:Informer:Watchdog"] = "00:00:05";
        builder.Properties["ErieCanal:Informer:InitialBackoff"] = "00:00:00.100";
        builder.Properties["ErieCanal:Informer:MaxBackoff"] = "00:00:01";
        foreach (var (key, value) in SiloSettings)
        {
            builder.Properties[key] = value;
        }

        if (Redis is { } redis)
        {
            builder.Properties["Orleans:Redis"] = redis;
        }

        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public Kubernetes Client(string clusterName) => Environment.Client(clusterName);

    public SandboxCluster Member(string name) => Environment.Sandbox[name];

    public virtual async Task DisposeAsync()
    {
        await Silos.StopAllSilosAsync();
        await Silos.DisposeAsync();
        await Environment.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddErieCanalStorage(siloBuilder.Configuration["Orleans:Redis"]);
            siloBuilder.AddErieCanal(siloBuilder.Configuration);
        }
    }
}
