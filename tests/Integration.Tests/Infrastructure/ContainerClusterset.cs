using System.Text;
using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// A clusterset as a user deploys it: a sandbox with the control plane and three members that runs the project's
/// image as real containers (with the cluster DNS and kube-proxy served), redis-server as a host process, and the
/// chart installed with helm — control-plane mode (three silos) in the control plane, member mode in each member —
/// with no RBAC beyond what the chart grants: the silos use their pods' ServiceAccount, the control plane reaches
/// each member as the reconciler ServiceAccount the member's install creates, over the member's HTTPS port.
/// </summary>
public sealed class ContainerClusterset : IAsyncDisposable
{
    public const string ControlPlane = "control-plane";
    public const string Namespace = "erie-canal";
    public const string Release = "erie-canal";
    public static readonly string[] MemberNames = ["cluster-1", "cluster-2", "cluster-3"];

    private readonly string _work;

    private ContainerClusterset(SandboxHost sandbox, RedisServer redis, BuiltImage image, IReadOnlyDictionary<string, string> kubeconfigs, string work)
    {
        Sandbox = sandbox;
        Redis = redis;
        Image = image;
        Kubeconfigs = kubeconfigs;
        _work = work;
    }

    public SandboxHost Sandbox { get; }

    public RedisServer Redis { get; }

    public BuiltImage Image { get; }

    /// <summary>The sandbox's admin kubeconfig files, by cluster name.</summary>
    public IReadOnlyDictionary<string, string> Kubeconfigs { get; }

    /// <summary>The silos' StatefulSet (and pod name prefix) the chart names after the release.</summary>
    public string SiloSet { get; private set; } = "";

    public static async Task<ContainerClusterset> StartAsync(BuiltImage image, Action<string> progress)
    {
        var work = Directory.CreateTempSubdirectory("erie-canal-deploy-").FullName;
        var redis = await RedisServer.StartAsync();
        SandboxHost? sandbox = null;
        try
        {
            var options = new SandboxClusterOptions
            {
                Images = [new GivenImage(image.Reference, image.ArchivePath)],
                ServeClusterNetwork = true,
                ContainerRestartBackoff = TimeSpan.FromSeconds(2),
            };
            sandbox = await SandboxHost.StartAsync([ControlPlane, .. MemberNames], options, controlPort: 0);
            var set = new ContainerClusterset(sandbox, redis, image, sandbox.WriteKubeconfigs(work), work);
            await set.InstallAsync(progress);
            return set;
        }
        catch
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    public Kubernetes Client(string cluster)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[cluster].Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    public KubectlRunner Kubectl(string cluster) => new(Kubeconfigs[cluster], _work);

    /// <summary>helm with the cluster's admin kubeconfig; fails the test on a non-zero exit.</summary>
    public async Task<string> HelmAsync(string cluster, params string[] args)
    {
        var (code, output) = await Helm.RunAsync([.. args, "--kubeconfig", Kubeconfigs[cluster]]);
        if (code != 0)
        {
            throw new InvalidOperationException($"helm {string.Join(' ', args)} on {cluster} exited {code}: {output}");
        }

        return output;
    }

    private string[] ImageValues()
    {
        var at = Image.Reference.LastIndexOf(':');
        return ["--set", $"image.repository={Image.Reference[..at]}", "--set", $"image.tag={Image.Reference[(at + 1)..]}", "--set", "image.pullPolicy=Never"];
    }

    private async Task InstallAsync(Action<string> progress)
    {
        progress("helm install: control plane (3 silos)");
        await HelmAsync(ControlPlane, ["install", Release, Helm.Chart, "-n", Namespace, "--create-namespace",
            .. ImageValues(), "--set", $"redis.connectionString={Redis.ConnectionString}",
            // Pods share the host's network in the sandbox: the dashboard's loopback listener would be taken three times.
            "--set", "dashboard.enabled=false"]);
        using (var control = Client(ControlPlane))
        {
            SiloSet = (await control.AppsV1.ListNamespacedStatefulSetAsync(Namespace)).Items.Single().Metadata.Name;
        }

        foreach (var member in MemberNames)
        {
            progress($"helm install: member mode in {member}");
            await HelmAsync(member, ["install", Release, Helm.Chart, "-n", Namespace, "--create-namespace",
                .. ImageValues(),
                "--set", "controlPlane.enabled=false", "--set", "member.enabled=true",
                "--set", $"member.clusterKey=default/default/default/{member}",
                "--set", "member.gateway.replicas=1", "--set", "member.proxy.replicas=1", "--set", "member.proxy.allowSingleReplica=true",
                "--set", "member.reconcilerAccess.serviceAccount.create=true"]);
        }

        foreach (var member in MemberNames)
        {
            await RegisterAsync(member, progress);
        }
    }

    /// <summary>
    /// The Cluster object a user writes for a member: the member's gateway LoadBalancer address, and a kubeconfig for
    /// the reconciler ServiceAccount the member's install created (its token from TokenRequest, the member's CA).
    /// </summary>
    private async Task RegisterAsync(string member, Action<string> progress)
    {
        using var client = Client(member);
        var gateway = await Eventually.Until(
            async () => (await client.CoreV1.ListNamespacedServiceAsync(Namespace)).Items.FirstOrDefault(s => s.Spec.Type == "LoadBalancer"),
            s => s?.Status?.LoadBalancer?.Ingress?.Count > 0,
            $"{member}'s gateway load balancer address",
            TimeSpan.FromMinutes(2));
        var reconciler = (await client.CoreV1.ListNamespacedServiceAccountAsync(Namespace)).Items
            .Single(a => a.Metadata.Name.EndsWith("-reconciler", StringComparison.Ordinal)).Metadata.Name;
        var token = (await Kubectl(member).RunAsync("create", "token", reconciler, "-n", Namespace, "--duration=24h")).AssertSuccess().Stdout.Trim();
        var cluster = Sandbox[member];
        var kubeconfig = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {member}
              cluster:
                server: {cluster.SecureServer.ToString().TrimEnd('/')}
                certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(cluster.CaCertificatePem))}
            users:
            - name: reconciler
              user:
                token: {token}
            contexts:
            - name: {member}
              context:
                cluster: {member}
                user: reconciler
            current-context: {member}
            """;
        progress($"registering {member}: gateway {gateway!.Status.LoadBalancer.Ingress[0].Ip}:{gateway.Spec.Ports[0].Port}");
        var manifest = $"""
            apiVersion: flomesh.io/v1alpha1
            kind: Cluster
            metadata:
              name: {member}
            spec:
              region: default
              zone: default
              group: default
              gatewayHost: {gateway.Status.LoadBalancer.Ingress[0].Ip}
              gatewayPort: {gateway.Spec.Ports[0].Port}
              kubeconfig: |
            {Indent(kubeconfig, 4)}
            """;
        await File.WriteAllTextAsync(Path.Combine(_work, $"{member}-cluster.yaml"), manifest);
        (await Kubectl(ControlPlane).RunAsync("apply", "-f", Path.Combine(_work, $"{member}-cluster.yaml"))).AssertSuccess();

        // The simulated curl pods send their requests through the member's client-side proxy (issue "Reach by name"
        // removes this): here that proxy is the chart's proxy Service.
        var proxy = (await client.CoreV1.ListNamespacedServiceAsync(Namespace)).Items.Single(s => s.Metadata.Name.EndsWith("-proxy", StringComparison.Ordinal));
        cluster.ClientProxy = new Uri($"http://{proxy.Spec.ClusterIP}:{proxy.Spec.Ports[0].Port}");
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(l => new string(' ', spaces) + l));

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
