using System.Text;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Silo.Embedded;

/// <summary>
/// The embedded default: an in-process sandbox with a control plane and members, the CRDs applied everywhere, a
/// gateway per member on 127.0.0.1, and each member registered as a Cluster object as in the seed walkthrough.
/// Tests use the same bootstrap, so the README's one command and the test suite exercise one path.
/// </summary>
public sealed class EmbeddedEnvironment : IAsyncDisposable
{
    public const string ControlPlaneName = "control-plane";

    private EmbeddedEnvironment(SandboxHost sandbox, IReadOnlyDictionary<string, string> kubeconfigs)
    {
        Sandbox = sandbox;
        Kubeconfigs = kubeconfigs;
    }

    public SandboxHost Sandbox { get; }

    /// <summary>Kubeconfig path per cluster name; "" is the merged file.</summary>
    public IReadOnlyDictionary<string, string> Kubeconfigs { get; }

    public string ControlPlaneKubeconfig => Kubeconfigs[ControlPlaneName];

    public IEnumerable<SandboxCluster> Members => Sandbox.Clusters.Where(c => c.Name != ControlPlaneName);

    public static async Task<EmbeddedEnvironment> StartAsync(
        IReadOnlyList<string> members,
        string directory,
        bool registerMembers = true,
        SandboxClusterOptions? options = null,
        int controlPort = 0,
        CancellationToken cancellationToken = default)
    {
        var sandbox = await SandboxHost.StartAsync([ControlPlaneName, .. members], options, controlPort, cancellationToken);
        try
        {
            var files = sandbox.WriteKubeconfigs(directory);
            var environment = new EmbeddedEnvironment(sandbox, files);
            var crds = LoadCrds();
            foreach (var cluster in sandbox.Clusters)
            {
                using var client = environment.Client(cluster.Name);
                foreach (var crd in crds)
                {
                    await ApplyCrdAsync(client, crd, cancellationToken);
                }

                if (cluster.Name != ControlPlaneName)
                {
                    await cluster.Gateway.StartAsync(0, cancellationToken);
                }
            }

            if (registerMembers)
            {
                foreach (var member in environment.Members)
                {
                    await environment.RegisterAsync(member.Name, cancellationToken: cancellationToken);
                }
            }

            return environment;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    public Kubernetes Client(string clusterName)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[clusterName].Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    /// <summary>Creates the member's Cluster object on the control plane, as the seed's kubectl apply does.</summary>
    public async Task RegisterAsync(string memberName, string? kubeconfig = null, string region = "default", CancellationToken cancellationToken = default)
    {
        var member = Sandbox[memberName];
        var cluster = new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = memberName },
            Spec = new ClusterResourceSpec
            {
                Region = region,
                GatewayHost = "127.0.0.1",
                GatewayPort = member.Gateway.Port,
                Kubeconfig = kubeconfig ?? member.Kubeconfig(),
            },
        };
        using var client = Client(ControlPlaneName);
        try
        {
            await client.CustomObjects.CreateClusterCustomObjectAsync(cluster, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already registered (a restart on the same sandbox): keep it.
        }
    }

    /// <summary>The system's CRDs (charts/erie-canal-orleans/crds, embedded in the watchers' assembly).</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> LoadCrds() => CrdManifests.Load();

    private static async Task ApplyCrdAsync(IKubernetes client, V1CustomResourceDefinition crd, CancellationToken cancellationToken)
    {
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    public async ValueTask DisposeAsync() => await Sandbox.DisposeAsync();
}
