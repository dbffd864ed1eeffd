using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Hosting;
using Orleans.TestingHost;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The system the cases run against, shared by the whole collection: the embedded default (a sandbox control plane
/// and members cluster-1..3, CRDs, gateways, data planes, members registered), given the suite's two images so its
/// pods run as runc containers on the served cluster network, plus a silo running the reconciler; and the suite's
/// <c>clients</c>, kubectl on the merged kubeconfig with contexts cluster-1, cluster-2, cluster-3 (clients[0] is
/// the exporting "remote" cluster). Needs root, runc, buildah and mmdebstrap; without them it fails, never skips.
/// </summary>
public sealed class ConformanceSystem : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> MemberNames = ["cluster-1", "cluster-2", "cluster-3"];

    /// <summary>The image of the seed's curl Deployment (tests/fixtures/seed/03-curl.yaml).</summary>
    public const string SeedCurlImage = "curlimages/curl";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcs-conformance-").FullName;
    private TestCluster? _silos;

    public EmbeddedEnvironment Environment { get; private set; } = null!;

    public ConformanceImages Images { get; } = new();

    public IReadOnlyList<ClusterClient> Clients { get; private set; } = [];

    /// <summary>The suite's --dns-domain (default clusterset.local).</summary>
    public string DnsDomain { get; } = "clusterset.local";

    public ConformanceReport Report { get; } = new();

    public async Task InitializeAsync()
    {
        if (Runc.Unavailable() is { } why)
        {
            throw new InvalidOperationException($"the conformance cases cannot run here: {why}");
        }

        await Images.InitializeAsync();
        Environment = await EmbeddedEnvironment.StartAsync(MemberNames, Path.Combine(_directory, "kubeconfigs"), options: new SandboxClusterOptions
        {
            // The seed's curl pod (image curlimages/curl) runs as a real container too: the netshoot image has curl and sleep.
            Images = [.. Images.All.Select(i => new GivenImage(i.Reference, i.ArchivePath)), new GivenImage(SeedCurlImage, Images.Netshoot.ArchivePath)],
            ImageCacheDirectory = Path.Combine(_directory, "images"),
            ServeClusterNetwork = true,
            BookmarkInterval = TimeSpan.FromSeconds(1),
            PodReadyDelay = TimeSpan.FromMilliseconds(100),
        });
        Clients = MemberNames.Select(n => new ClusterClient(n, Environment.Kubeconfigs[""], _directory)).ToList();
        _silos = await StartSiloAsync(Environment.ControlPlaneKubeconfig);
    }

    /// <summary>Runs one case: the driver's set-up, the body, the clean-up; records the result and duration for the report.</summary>
    public async Task RunAsync(ConformanceCase @case, TestDriver driver, Func<Task> body)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            try
            {
                await driver.SetUpAsync();
                await body();
            }
            finally
            {
                await driver.CleanUpAsync();
            }

            Report.Add(new CaseResult(@case, true, clock.Elapsed, null));
        }
        catch (Exception ex)
        {
            Report.Add(new CaseResult(@case, false, clock.Elapsed, ex.Message));
            throw;
        }
    }

    public TestDriver NewDriver() => new(Clients);

    public async Task DisposeAsync()
    {
        Report.Write(ConformanceReport.DefaultPath);
        if (_silos is not null)
        {
            await _silos.StopAllSilosAsync();
            await _silos.DisposeAsync();
        }

        if (Environment is not null)
        {
            await Environment.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Containers' leftovers can outlive the sandbox by a moment; a temporary directory left behind is harmless.
        }
    }

    // One silo (the machine has two cores), configured as the integration tests' reconciler fixture configures it.
    private static async Task<TestCluster> StartSiloAsync(string controlPlaneKubeconfig)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties["ErieCanal:ControlPlaneKubeconfig"] = controlPlaneKubeconfig;
        builder.Properties["ErieCanal:ResyncInterval"] = "00:00:02";
        builder.Properties["ErieCanal:RepairInterval"] = "00:00:03";
        builder.Properties["ErieCanal:RequestTimeout"] = "00:00:05";
        builder.Properties["ErieCanal:Informer:Watchdog"] = "00:00:05";
        builder.Properties["ErieCanal:Informer:InitialBackoff"] = "00:00:00.100";
        builder.Properties["ErieCanal:Informer:MaxBackoff"] = "00:00:01";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
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
