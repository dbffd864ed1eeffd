using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// Performs an operation through the member's API, as a user's kubectl would: a create of something that exists
/// becomes an update, a delete of something gone is done, and a transient failure is retried.
/// </summary>
public static class OperationApplier
{
    private const string Group = ServiceExportResource.Group;
    private const string Version = ServiceExportResource.Version;
    private const string Ns = ChaosSettings.Namespace;

    /// <summary>Applies the operation; false when every attempt failed (counted, not fatal: the check reads what exists).</summary>
    public static async Task<bool> ApplyAsync(IKubernetes client, Operation operation, Action<string> progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(client, operation, cancellationToken);
                return true;
            }
            catch (Exception ex) when (attempt < 5 && ex is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(200 * attempt, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                progress($"operation {operation} failed after retries: {ex.Message} {(ex as HttpOperationException)?.Response.Content}");
                return false;
            }
        }
    }

    private static async Task ApplyOnceAsync(IKubernetes client, Operation op, CancellationToken ct)
    {
        var name = op.Service;
        switch (op.Kind)
        {
            case OperationKind.CreateService:
                await CreateOrPatchAsync(
                    () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(name, op.Replicas), Ns, cancellationToken: ct),
                    () => client.AppsV1.PatchNamespacedDeploymentAsync(Merge(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = op.Replicas } }), name, Ns, cancellationToken: ct));
                // The name may be held by the same-name Service the system wrote for an import: the update below
                // (selector, ports, affinity), as kubectl apply would make it, makes it the workload's own.
                await CreateOrPatchAsync(
                    () => client.CoreV1.CreateNamespacedServiceAsync(Service(name, op.SessionAffinity), Ns, cancellationToken: ct),
                    () => TakeOverAsync(client, name, op.SessionAffinity, ct));
                break;
            case OperationKind.UpdateService:
                await IgnoreNotFoundAsync(() => PatchAffinityAsync(client, name, op.SessionAffinity, ct));
                break;
            case OperationKind.DeleteService:
                await IgnoreNotFoundAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(name, Ns, cancellationToken: ct));
                await IgnoreNotFoundAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(name, Ns, cancellationToken: ct));
                break;
            case OperationKind.ScaleDeployment:
                await IgnoreNotFoundAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(
                    Merge(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = op.Replicas } }), name, Ns, cancellationToken: ct));
                break;
            case OperationKind.CreateExport or OperationKind.UpdateExport:
                await CreateOrPatchAsync(
                    () => client.CustomObjects.CreateNamespacedCustomObjectAsync(Export(op), Group, Version, Ns, ServiceExportResource.Plural, cancellationToken: ct),
                    () => client.CustomObjects.PatchNamespacedCustomObjectAsync(Merge(ExportSpec(op)), Group, Version, Ns, ServiceExportResource.Plural, name, cancellationToken: ct));
                break;
            case OperationKind.DeleteExport:
                await IgnoreNotFoundAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, Ns, ServiceExportResource.Plural, name, cancellationToken: ct));
                break;
            case OperationKind.CreatePolicy or OperationKind.UpdatePolicy:
                await CreateOrPatchAsync(
                    () => client.CustomObjects.CreateNamespacedCustomObjectAsync(Policy(op), Group, Version, Ns, GlobalTrafficPolicyResource.Plural, cancellationToken: ct),
                    () => client.CustomObjects.PatchNamespacedCustomObjectAsync(Merge(PolicySpec(op.Policy!)), Group, Version, Ns, GlobalTrafficPolicyResource.Plural, name, cancellationToken: ct));
                break;
            case OperationKind.DeletePolicy:
                await IgnoreNotFoundAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, Ns, GlobalTrafficPolicyResource.Plural, name, cancellationToken: ct));
                break;
            case OperationKind.CreateMcsExport:
                await CreateOrPatchAsync(
                    () => client.CustomObjects.CreateNamespacedCustomObjectAsync(McsExport(name), McsNames.Group, McsNames.Version, Ns, McsNames.ServiceExports, cancellationToken: ct),
                    () => Task.CompletedTask);
                break;
            case OperationKind.DeleteMcsExport:
                await IgnoreNotFoundAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, Ns, McsNames.ServiceExports, name, cancellationToken: ct));
                break;
        }
    }

    public static async Task EnsureNamespaceAsync(IKubernetes client, CancellationToken ct)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } }, cancellationToken: ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    // The config goes with the affinity, as a user's patch must: kube-apiserver refuses a sessionAffinityConfig
    // (defaulted while ClientIP) once the affinity is None.
    private static Task PatchAffinityAsync(IKubernetes client, string name, string affinity, CancellationToken ct) =>
        client.CoreV1.PatchNamespacedServiceAsync(Merge(new JsonObject { ["spec"] = new JsonObject { ["sessionAffinity"] = affinity, ["sessionAffinityConfig"] = null } }), name, Ns, cancellationToken: ct);

    private static Task TakeOverAsync(IKubernetes client, string name, string affinity, CancellationToken ct) =>
        client.CoreV1.PatchNamespacedServiceAsync(Merge(new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["app"] = name },
                ["sessionAffinity"] = affinity,
                ["sessionAffinityConfig"] = null,
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8080, ["targetPort"] = 8080, ["protocol"] = "TCP" }),
            },
        }), name, Ns, cancellationToken: ct);

    private static V1Patch Merge(JsonObject body) => new(body.ToJsonString(), V1Patch.PatchType.MergePatch);

    private static async Task CreateOrPatchAsync(Func<Task> create, Func<Task> patch)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            await patch();
        }
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1", Ports = [new V1ContainerPort { ContainerPort = 8080 }] }] },
            },
        },
    };

    private static V1Service Service(string name, string affinity) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["app"] = name },
            SessionAffinity = affinity,
            Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = 8080, Protocol = "TCP" }],
        },
    };

    private static ServiceExportResource Export(Operation op) => new()
    {
        Metadata = new V1ObjectMeta { Name = op.Service, NamespaceProperty = Ns },
        Spec = new ServiceExportSpec
        {
            ServiceAccountName = "*",
            Rules = [new ServiceExportRule { PortNumber = 8080, Path = op.Path, PathType = "Prefix" }],
            TargetClusters = op.TargetClusters.Count == 0 ? null : [.. op.TargetClusters],
        },
    };

    private static JsonObject ExportSpec(Operation op) => new()
    {
        ["spec"] = new JsonObject
        {
            ["rules"] = new JsonArray(new JsonObject { ["portNumber"] = 8080, ["path"] = op.Path, ["pathType"] = "Prefix" }),
            ["targetClusters"] = op.TargetClusters.Count == 0 ? null : new JsonArray([.. op.TargetClusters.Select(t => JsonValue.Create(t))]),
        },
    };

    private static JsonObject McsExport(string name) => new()
    {
        ["apiVersion"] = McsNames.ApiVersion,
        ["kind"] = McsNames.ServiceExportKind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
    };

    private static GlobalTrafficPolicyResource Policy(Operation op) => new()
    {
        Metadata = new V1ObjectMeta { Name = op.Service, NamespaceProperty = Ns },
        Spec = new GlobalTrafficPolicySpec
        {
            LbType = op.Policy!.LbType,
            Targets = [.. op.Policy.Targets.Select(t => new TrafficTarget { ClusterKey = t.ClusterKey, Weight = t.Weight })],
        },
    };

    private static JsonObject PolicySpec(PolicyChoice policy) => new()
    {
        ["spec"] = new JsonObject
        {
            ["lbType"] = policy.LbType,
            // A missing weight is left out (a null would be an invalid integer to the schema).
            ["targets"] = new JsonArray([.. policy.Targets.Select(t => (JsonNode)(t.Weight is { } w
                ? new JsonObject { ["clusterKey"] = t.ClusterKey, ["weight"] = w }
                : new JsonObject { ["clusterKey"] = t.ClusterKey }))]),
        },
    };
}
