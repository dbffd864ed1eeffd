using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>Writes the Kubernetes objects the data plane reads, straight through KubernetesClient.</summary>
public static class Objects
{
    public static async Task NamespaceAsync(IKubernetes client, string ns) =>
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });

    /// <summary>A selector-less Service (the sandbox's controllers leave its EndpointSlices to us).</summary>
    public static async Task ServiceAsync(IKubernetes client, string ns, string name, int port, string portName = "http", int? targetPort = null) =>
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec
            {
                Ports = [new V1ServicePort { Name = portName, Port = port, TargetPort = targetPort ?? port, Protocol = "TCP" }],
            },
        }, ns);

    /// <summary>One EndpointSlice per backend (each listens on its own port), named after it.</summary>
    public static async Task SliceAsync(IKubernetes client, string ns, string service, Backend backend, bool ready = true, string portName = "http") =>
        await SliceAsync(client, ns, service, backend.Name, backend.Ip, backend.Port, ready, portName);

    public static async Task SliceAsync(IKubernetes client, string ns, string service, string pod, string ip, int port, bool ready = true, string portName = "http") =>
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(ns, service, pod, ip, port, ready, portName), ns);

    public static V1EndpointSlice Slice(string ns, string service, string pod, string ip, int port, bool ready, string portName) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"{service}-{pod}",
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = portName, Port = port, Protocol = "TCP" }],
        Endpoints = [new V1Endpoint { Addresses = [ip], Conditions = new V1EndpointConditions { Ready = ready }, TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = ns } }],
    };

    public static async Task SetReadyAsync(IKubernetes client, string ns, string service, Backend backend, bool ready)
    {
        var slice = await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync($"{service}-{backend.Name}", ns);
        slice.Endpoints[0].Conditions = new V1EndpointConditions { Ready = ready };
        await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, ns);
    }

    public static async Task DeleteSliceAsync(IKubernetes client, string ns, string service, Backend backend) =>
        await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync($"{service}-{backend.Name}", ns);

    public sealed record IngressPath(string Path, string PathType, string Service, int Port);

    public static V1Ingress Ingress(string ns, string name, string ingressClass, IEnumerable<IngressPath> paths, IDictionary<string, string>? annotations = null, string? host = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Annotations = annotations },
        Spec = new V1IngressSpec
        {
            IngressClassName = ingressClass,
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths = [.. paths.Select(p => new V1HTTPIngressPath
                        {
                            Path = p.Path,
                            PathType = p.PathType,
                            Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = p.Service, Port = new V1ServiceBackendPort { Number = p.Port } } },
                        })],
                    },
                },
            ],
        },
    };

    public static async Task IngressAsync(IKubernetes client, V1Ingress ingress) =>
        await client.NetworkingV1.CreateNamespacedIngressAsync(ingress, ingress.Metadata.NamespaceProperty);

    public static async Task ApplyCrdsAsync(IKubernetes client)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "crds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file)));
        }
    }

    public sealed record RoutedEndpoint(string ClusterKey, string Ip, int Port, string Path, int Weight, string State, string Host = "");

    /// <summary>Creates (or replaces) a ServiceImport and writes its status.routing through the status subresource, as the writer grain does.</summary>
    public static async Task ImportAsync(IKubernetes client, string ns, string name, int port, params RoutedEndpoint[] endpoints)
    {
        var import = new JsonObject
        {
            ["apiVersion"] = ServiceImportResource.GroupVersion,
            ["kind"] = "ServiceImport",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["type"] = "ClusterSetIP", ["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["protocol"] = "TCP" }) },
        };
        try
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(import, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }

        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["routing"] = new JsonObject
                {
                    ["lbType"] = "ActiveActive",
                    ["ports"] = new JsonArray(new JsonObject
                    {
                        ["port"] = port,
                        ["protocol"] = "TCP",
                        ["endpoints"] = new JsonArray([.. endpoints.Select(e => (JsonNode)new JsonObject
                        {
                            ["clusterKey"] = e.ClusterKey, ["host"] = e.Host, ["ip"] = e.Ip, ["port"] = e.Port, ["path"] = e.Path, ["weight"] = e.Weight, ["state"] = e.State,
                        })]),
                    }),
                    ["activeEndpoints"] = endpoints.Count(e => e.State == "Active"),
                    ["problems"] = new JsonArray(),
                },
            },
        };
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name);
    }

    /// <summary>A ServiceImport as the control plane writes one with no policy and nothing marked: spec endpoints of <paramref name="clusterKeys"/>, no status.routing.</summary>
    public static async Task ImportBySpecAsync(IKubernetes client, string ns, string name, int port, params string[] clusterKeys)
    {
        var endpoints = new JsonArray([.. clusterKeys.Select(k => (JsonNode)new JsonObject
        {
            ["clusterKey"] = k,
            ["target"] = new JsonObject { ["host"] = "gateway.example", ["ip"] = "127.0.0.1", ["port"] = 1, ["path"] = $"/{name}" },
        })]);
        var import = new JsonObject
        {
            ["apiVersion"] = ServiceImportResource.GroupVersion,
            ["kind"] = "ServiceImport",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterSetIP",
                ["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["protocol"] = "TCP", ["endpoints"] = endpoints }),
            },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(import, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural);
    }

    /// <summary>Removes the ServiceImport's status.routing (a merge patch's null), as the control plane does when it says nothing the spec does not.</summary>
    public static async Task RemoveRoutingAsync(IKubernetes client, string ns, string name) =>
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"routing":null}}""", V1Patch.PatchType.MergePatch), ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name);
}
