using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Sessions;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// The Kubernetes objects the data plane reads, written straight through KubernetesClient as the system (or the
/// seed's kubectl apply) would write them: no control plane runs, so only the data plane is measured.
/// </summary>
public static class MemberObjects
{
    public static async Task ApplyCrdsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        foreach (var crd in CrdManifests.Load())
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
        }
    }

    /// <summary>The seed's tests/fixtures/seed/01-httpbin.yaml verbatim: Namespace, Deployment (2 pipy replicas), Service.</summary>
    public static async Task ApplySeedHttpbinAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "seed", "01-httpbin.yaml"), cancellationToken);
        foreach (var obj in KubernetesYaml.LoadAllFromString(yaml))
        {
            switch (obj)
            {
                case V1Namespace ns:
                    await client.CoreV1.CreateNamespaceAsync(ns, cancellationToken: cancellationToken);
                    break;
                case V1Deployment deployment:
                    await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, deployment.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                    break;
                case V1Service service:
                    await client.CoreV1.CreateNamespacedServiceAsync(service, service.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                    break;
                default:
                    throw new NotSupportedException($"the seed's httpbin manifest holds a {obj.GetType().Name}, which the benchmark does not apply");
            }
        }
    }

    /// <summary>
    /// The Ingress the reconciler writes for the seed's ServiceExport (no host, Prefix /httpbin → httpbin:8080, no
    /// rewrite because the export sets no pathRewrite), minus the owner reference: no ServiceExport exists here.
    /// </summary>
    public static async Task ExportIngressAsync(IKubernetes client, string ns, string service, string path, int port, string ingressClass, CancellationToken cancellationToken) =>
        await client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta
            {
                Name = ExportIngresses.Name(service),
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
                Annotations = new Dictionary<string, string> { [ExportIngresses.ExportAnnotation] = service },
            },
            Spec = new V1IngressSpec
            {
                IngressClassName = ingressClass,
                Rules =
                [
                    new V1IngressRule
                    {
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = path,
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = port } } },
                                },
                            ],
                        },
                    },
                ],
            },
        }, ns, cancellationToken: cancellationToken);

    public static async Task NamespaceAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>
    /// A ServiceImport whose status.routing (written through the status subresource, as the writer grain does) is
    /// ActiveActive with one Active endpoint: another member's gateway, reached at <paramref name="gateway"/>.
    /// </summary>
    public static async Task ImportAsync(IKubernetes client, string ns, string name, int port, string exporterKey, IPEndPoint gateway, string path, CancellationToken cancellationToken)
    {
        var import = new JsonObject
        {
            ["apiVersion"] = ServiceImportResource.GroupVersion,
            ["kind"] = "ServiceImport",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["type"] = "ClusterSetIP", ["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["protocol"] = "TCP" }) },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(import, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, cancellationToken: cancellationToken);

        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["routing"] = new JsonObject
                {
                    ["lbType"] = LbTypes.ActiveActive,
                    ["ports"] = new JsonArray(new JsonObject
                    {
                        ["port"] = port,
                        ["protocol"] = "TCP",
                        ["endpoints"] = new JsonArray(new JsonObject
                        {
                            ["clusterKey"] = exporterKey,
                            ["host"] = "",
                            ["ip"] = gateway.Address.ToString(),
                            ["port"] = gateway.Port,
                            ["path"] = path,
                            ["weight"] = 100,
                            ["state"] = EndpointStates.Active,
                        }),
                    }),
                    ["activeEndpoints"] = 1,
                    ["problems"] = new JsonArray(),
                },
            },
        };
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: cancellationToken);
    }

    /// <summary>A selector-less Service whose one EndpointSlice lists the given pods as ready: a "local" Service for the proxy.</summary>
    public static async Task LocalServiceAsync(IKubernetes client, string ns, string name, int port, IReadOnlyList<(string Name, string Ip)> pods, CancellationToken cancellationToken)
    {
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = port, Protocol = "TCP" }] },
        }, ns, cancellationToken: cancellationToken);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{name}-bench",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name },
            },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port, Protocol = "TCP" }],
            Endpoints = [.. pods.Select(p => new V1Endpoint
            {
                Addresses = [p.Ip],
                Conditions = new V1EndpointConditions { Ready = true },
                TargetRef = new V1ObjectReference { Kind = "Pod", Name = p.Name, NamespaceProperty = ns },
            })],
        }, ns, cancellationToken: cancellationToken);
    }
}
