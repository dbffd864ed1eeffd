using System.Net;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>Builds the services and exports the tests need, through KubernetesClient.</summary>
public static class Workloads
{
    public static async Task EnsureNamespaceAsync(IKubernetes client, string ns)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>A Deployment with one ready pod and a Service in front of it.</summary>
    public static async Task DeployAsync(IKubernetes client, string ns, string name, int port = 8080, string? portName = null, bool headless = false, string sessionAffinity = "None", int replicas = 1)
    {
        await EnsureNamespaceAsync(client, ns);
        await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1", Ports = [new V1ContainerPort { ContainerPort = port }] }] },
                },
            },
        }, ns);
        await CreateServiceAsync(client, ns, name, port, portName, headless, sessionAffinity);
    }

    public static async Task CreateServiceAsync(IKubernetes client, string ns, string name, int port = 8080, string? portName = null, bool headless = false, string sessionAffinity = "None")
    {
        await ServiceNames.CreateTakingOverAsync(client, new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = name },
                ClusterIP = headless ? "None" : null,
                SessionAffinity = sessionAffinity,
                Ports = [new V1ServicePort { Name = portName, Port = port, TargetPort = port, Protocol = "TCP" }],
            },
        });
    }

    public static async Task ExportAsync(IKubernetes client, string ns, string name, int? portNumber = null, IList<string>? targetClusters = null)
    {
        await EnsureNamespaceAsync(client, ns);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new ServiceExportSpec
            {
                ServiceAccountName = "*",
                Rules = portNumber is { } p ? [new ServiceExportRule { PortNumber = p, Path = $"/{name}", PathType = "Prefix" }] : null,
                TargetClusters = targetClusters?.ToList(),
            },
        }, ServiceExportResource.Group, ServiceExportResource.Version, ns, ServiceExportResource.Plural);
    }

    public static async Task ApplyPolicyAsync(IKubernetes client, string ns, string name, string lbType, params (string ClusterKey, int? Weight)[] targets)
    {
        await EnsureNamespaceAsync(client, ns);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new GlobalTrafficPolicyResource
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new GlobalTrafficPolicySpec
            {
                LbType = lbType,
                Targets = targets.Select(t => new TrafficTarget { ClusterKey = t.ClusterKey, Weight = t.Weight }).ToList(),
            },
        }, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, ns, GlobalTrafficPolicyResource.Plural);
    }
}
