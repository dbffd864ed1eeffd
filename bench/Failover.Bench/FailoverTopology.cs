using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Faults;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// The embedded default with three registered members and one silo, under one compared configuration. An
/// ActiveActive service (pods in cluster-1 and cluster-3, the policy in every member) and a FailOver service (SPEC §5:
/// the consumer's own pods in cluster-2 are primary, cluster-3 is the standby), both consumed from cluster-2 through
/// its client-side proxy.
/// </summary>
public sealed class FailoverTopology : IAsyncDisposable
{
    public const string Namespace = "failover-bench";
    public const int Port = 8080;
    public const string Consumer = "cluster-2";

    /// <summary>The member the member-level faults hit (the ActiveActive service's primary).</summary>
    public const string FaultedMember = "cluster-1";

    private const string ImportStorageKey = "serviceimports.flomesh.io";
    private const int Replicas = 2;

    public static readonly IReadOnlyList<string> Members = ["cluster-1", "cluster-2", "cluster-3"];

    public static readonly IReadOnlyList<BenchService> Services =
    [
        new("web", LbTypes.ActiveActive, ["cluster-1", "cluster-3"], Primary: "cluster-1", PolicyMembers: Members),
        new("pay", LbTypes.FailOver, ["cluster-2", "cluster-3"], Primary: "cluster-2", PolicyMembers: [Consumer]),
    ];

    private readonly EmbeddedEnvironment _environment;
    private readonly Dictionary<string, Kubernetes> _clients;
    private InProcessSilo? _silo;

    private FailoverTopology(EmbeddedEnvironment environment)
    {
        _environment = environment;
        _clients = Members.ToDictionary(m => m, environment.Client);
    }

    public SystemConfiguration Configuration { get; private init; } = SystemConfiguration.Ours;

    /// <summary>cluster-2's client-side proxy, where the load is sent.</summary>
    public Uri ConsumerProxy => _environment.DataPlane[Consumer].Proxy?.Address ?? throw new InvalidOperationException("cluster-2's proxy is not running");

    public static string Key(string member) => ClusterKeys.Format(ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, member);

    public static Uri ServiceUrl(BenchService service) => new($"http://{service.Name}.{Namespace}:{Port}/");

    public static async Task<FailoverTopology> StartAsync(SystemConfiguration configuration, string directory, BenchSettings settings, Action<string> progress, CancellationToken cancellationToken)
    {
        // Every member's proxy gets the configuration's settings (EmbeddedEnvironment applies them before it starts it).
        var environment = await EmbeddedEnvironment.StartAsync(Members, directory, configureProxy: configuration.ConfigureProxy, cancellationToken: cancellationToken);
        var topology = new FailoverTopology(environment) { Configuration = configuration };
        try
        {
            progress($"{configuration.Name}: silo starting ({(configuration.Silo.Count == 0 ? "defaults" : string.Join(", ", configuration.Silo.Select(s => $"{s.Key}={s.Value}")))})");
            topology._silo = await InProcessSilo.StartAsync(environment.ControlPlaneKubeconfig, configuration.Silo, fromEnvironment: false, cancellationToken);
            await topology.SetUpAsync(settings, progress, cancellationToken);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync(BenchSettings settings, Action<string> progress, CancellationToken cancellationToken)
    {
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setup.CancelAfter(settings.SetupTimeout);
        var token = setup.Token;
        foreach (var member in Members)
        {
            await EnsureNamespaceAsync(_clients[member], token);
        }

        foreach (var service in Services)
        {
            progress($"{service.Name} ({service.LbType}): pods in {string.Join(" and ", service.Exporters)}, policy in {string.Join(", ", service.PolicyMembers)}");
            foreach (var member in service.Exporters)
            {
                await DeployAsync(_clients[member], service, member, token);
            }

            foreach (var member in service.PolicyMembers)
            {
                await ApplyPolicyAsync(_clients[member], service, member, token);
            }
        }

        foreach (var member in Members)
        {
            var dataPlane = _environment.DataPlane[member];
            await dataPlane.Gateway.WaitUntilReadyAsync(token);
            await dataPlane.Proxy!.WaitUntilReadyAsync(token);
        }

        progress("waiting for the routing of both services in every member");
        while (!SteadyRouting())
        {
            await Task.Delay(100, token);
        }
    }

    /// <summary>The routing as configured and every endpoint healthy: web Active for both exporters in every member, pay local Active and cluster-3 Standby in cluster-2.</summary>
    public bool SteadyRouting() =>
        Services.All(service => service.PolicyMembers.All(member => service.Exporters.All(exporter =>
            EndpointStates(member, service, exporter) is [_, ..] states
            && states.All(s => s == (service.LbType == LbTypes.FailOver && exporter != service.Primary ? Interfaces.EndpointStates.Standby : Interfaces.EndpointStates.Active)))));

    /// <summary>The states <paramref name="member"/>'s ServiceImport of <paramref name="service"/> gives <paramref name="exporter"/>'s endpoints (read from the member's store, which works while its API server is offline).</summary>
    public IReadOnlyList<string> EndpointStates(string member, BenchService service, string exporter)
    {
        var import = _environment.Sandbox[member].Store.Get(ImportStorageKey, Namespace, service.Name);
        var key = Key(exporter);
        return [.. (import?["status"]?["routing"]?["ports"] as JsonArray ?? [])
            .SelectMany(port => port?["endpoints"] as JsonArray ?? [])
            .Where(e => e?["clusterKey"]?.GetValue<string>() == key)
            .Select(e => e?["state"]?.GetValue<string>() ?? "")];
    }

    /// <summary>The member a fault hits for a service: cluster-1 for member-level faults, else the service's primary.</summary>
    public static string TargetOf(FaultKind fault, BenchService service) => fault.IsMemberLevel() ? FaultedMember : service.Primary;

    public async Task ApplyAsync(FaultKind fault, CancellationToken cancellationToken)
    {
        var member = _environment.Sandbox[FaultedMember];
        switch (fault)
        {
            case FaultKind.GatewayRefused:
                await member.Gateway.StopAsync();
                break;
            case FaultKind.GatewayBlackhole:
                await member.Gateway.BlackholeAsync(cancellationToken);
                break;
            case FaultKind.Pods5xx:
                foreach (var service in Services)
                {
                    _environment.Sandbox[service.Primary].Faults.Workloads.Set(Namespace, service.Deployment(service.Primary), WorkloadFault.Error(503));
                }

                break;
            case FaultKind.ScaleToZero:
                await Task.WhenAll(Services.Select(s => ScaleAsync(s, s.Primary, 0, cancellationToken)));
                break;
            case FaultKind.ApiServerOffline:
                await member.GoOfflineAsync(cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    public async Task HealAsync(FaultKind fault, CancellationToken cancellationToken)
    {
        var member = _environment.Sandbox[FaultedMember];
        switch (fault)
        {
            case FaultKind.GatewayRefused or FaultKind.GatewayBlackhole:
                await member.Gateway.StartAsync(cancellationToken: cancellationToken);
                break;
            case FaultKind.Pods5xx:
                foreach (var service in Services)
                {
                    _environment.Sandbox[service.Primary].Faults.Workloads.Set(Namespace, service.Deployment(service.Primary), WorkloadFault.None);
                }

                break;
            case FaultKind.ScaleToZero:
                await Task.WhenAll(Services.Select(s => ScaleAsync(s, s.Primary, Replicas, cancellationToken)));
                break;
            case FaultKind.ApiServerOffline:
                await member.GoOnlineAsync(cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private Task ScaleAsync(BenchService service, string member, int replicas, CancellationToken cancellationToken) =>
        _clients[member].AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }.ToJsonString(), V1Patch.PatchType.MergePatch), service.Deployment(member), Namespace, cancellationToken: cancellationToken);

    private static async Task EnsureNamespaceAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>The member's Deployment (pods answer their name on the port), the Service over it and its ServiceExport (Prefix /{service}).</summary>
    private static async Task DeployAsync(IKubernetes client, BenchService service, string member, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { ["app"] = service.Name };
        await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = service.Deployment(member), NamespaceProperty = Namespace },
            Spec = new V1DeploymentSpec
            {
                Replicas = Replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1", Ports = [new V1ContainerPort { ContainerPort = Port }] }] },
                },
            },
        }, Namespace, cancellationToken: cancellationToken);
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = service.Name, NamespaceProperty = Namespace },
            Spec = new V1ServiceSpec
            {
                Selector = labels,
                Ports = [new V1ServicePort { Name = "http", Port = Port, TargetPort = Port, Protocol = "TCP" }],
            },
        }, Namespace, cancellationToken: cancellationToken);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = service.Name, NamespaceProperty = Namespace },
            Spec = new ServiceExportSpec
            {
                ServiceAccountName = "*",
                Rules = [new ServiceExportRule { PortNumber = Port, Path = $"/{service.Name}", PathType = "Prefix" }],
            },
        }, ServiceExportResource.Group, ServiceExportResource.Version, Namespace, ServiceExportResource.Plural, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// ActiveActive over both exporters; FailOver listing the exporters other than the consumer's own (SPEC §5: the
    /// consuming member's local endpoints are the primary, listed targets the standbys).
    /// </summary>
    private static async Task ApplyPolicyAsync(IKubernetes client, BenchService service, string member, CancellationToken cancellationToken) =>
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new GlobalTrafficPolicyResource
        {
            Metadata = new V1ObjectMeta { Name = service.Name, NamespaceProperty = Namespace },
            Spec = new GlobalTrafficPolicySpec
            {
                LbType = service.LbType,
                Targets = [.. service.Exporters.Where(e => service.LbType == LbTypes.ActiveActive || e != member).Select(e => new TrafficTarget { ClusterKey = Key(e) })],
            },
        }, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, Namespace, GlobalTrafficPolicyResource.Plural, cancellationToken: cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await _environment.DisposeAsync();
    }
}
