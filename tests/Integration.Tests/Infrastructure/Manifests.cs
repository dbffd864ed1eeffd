using System.Net;
using System.Text.Json;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>Creates the objects of a YAML manifest through KubernetesClient, as `kubectl create -f` would.</summary>
public static class Manifests
{
    private static readonly Dictionary<string, Type> CustomTypes = new()
    {
        ["flomesh.io/v1alpha1/ServiceExport"] = typeof(ServiceExportResource),
        ["flomesh.io/v1alpha1/GlobalTrafficPolicy"] = typeof(GlobalTrafficPolicyResource),
        ["flomesh.io/v1alpha1/Cluster"] = typeof(ClusterResource),
    };

    public static string Seed(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed", file));

    public static async Task ApplyAsync(IKubernetes client, string yaml)
    {
        foreach (var obj in KubernetesYaml.LoadAllFromString(yaml, CustomTypes))
        {
            try
            {
                switch (obj)
                {
                    case V1Namespace ns:
                        await client.CoreV1.CreateNamespaceAsync(ns);
                        break;
                    case V1Deployment deployment:
                        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, deployment.Metadata.NamespaceProperty);
                        break;
                    case V1Service service:
                        await ServiceNames.CreateTakingOverAsync(client, service);
                        break;
                    case ServiceExportResource export:
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(export, ServiceExportResource.Group, ServiceExportResource.Version, export.Metadata.NamespaceProperty, ServiceExportResource.Plural);
                        break;
                    case GlobalTrafficPolicyResource policy:
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(policy, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, policy.Metadata.NamespaceProperty, GlobalTrafficPolicyResource.Plural);
                        break;
                    default:
                        throw new NotSupportedException($"manifest object {obj.GetType().Name} is not handled by the test helper");
                }
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && obj is V1Namespace)
            {
                // Namespaces may already exist (created by the system for imports).
            }
        }
    }

    public static async Task<T?> GetCustomAsync<T>(IKubernetes client, string plural, string ns, string name)
        where T : class
    {
        try
        {
            var raw = await client.CustomObjects.GetNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, ns, plural, name);
            var json = raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw);
            return KubernetesJson.Deserialize<T>(json);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static Task<ServiceImportResource?> GetImportAsync(IKubernetes client, string ns, string name) =>
        GetCustomAsync<ServiceImportResource>(client, ServiceImportResource.Plural, ns, name);

    public static Task<ServiceExportResource?> GetExportAsync(IKubernetes client, string ns, string name) =>
        GetCustomAsync<ServiceExportResource>(client, ServiceExportResource.Plural, ns, name);

    public static async Task DeleteExportAsync(IKubernetes client, string ns, string name) =>
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, ns, ServiceExportResource.Plural, name);

    public static Condition? ConditionOf(IEnumerable<Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>The clusterKeys of the endpoints of a ServiceImport's first port.</summary>
    public static string[] EndpointClusters(ServiceImportResource? import) =>
        import?.Spec.Ports?.FirstOrDefault()?.Endpoints?.Select(e => e.ClusterKey).Order(StringComparer.Ordinal).ToArray() ?? [];
}
