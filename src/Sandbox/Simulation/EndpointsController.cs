using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Selectors;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// Keeps each selector Service's Endpoints and EndpointSlice in step with the pods it selects and their
/// readiness, as the endpoints and endpointslice controllers of a real cluster do.
/// </summary>
public sealed class EndpointsController(SandboxCluster cluster) : IClusterController
{
    private const string Services = "services";
    private const string Endpoints = "endpoints";
    private const string Slices = "endpointslices.discovery.k8s.io";
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        switch (e.StorageKey)
        {
            case Services:
                Queue(queue, e.Namespace, e.Name);
                break;
            case "pods":
                foreach (var service in Store.List(Services, e.Namespace).Items)
                {
                    var selector = service["spec"]?["selector"] as JsonObject;
                    if (selector is { Count: > 0 })
                    {
                        var match = LabelSelector.FromMap(selector);
                        if (match.Matches(e.Object) || (e.Previous is not null && match.Matches(e.Previous)))
                        {
                            Queue(queue, e.Namespace, StoreOps.Name(service));
                        }
                    }
                }

                break;
        }
    }

    private void Queue(WorkQueue queue, string ns, string name) => queue.Enqueue($"endpoints/{ns}/{name}", () => Reconcile(ns, name));

    private void Reconcile(string ns, string name)
    {
        var service = Store.Get(Services, ns, name);
        if (service is null)
        {
            // Endpoints carry no owner reference on a real cluster either: the controller removes them.
            StoreOps.TryRemove(Store, Endpoints, ns, name);
            return;
        }

        if (service["spec"]?["selector"] is not JsonObject { Count: > 0 } selector || service["spec"]?["type"]?.GetValue<string>() == "ExternalName")
        {
            return;
        }

        var match = LabelSelector.FromMap(selector);
        var pods = Store.List("pods", ns).Items
            .Where(p => match.Matches(p) && !StoreOps.Deleting(p) && p["status"]?["podIP"] is not null)
            .OrderBy(p => System.Net.IPAddress.TryParse(p["status"]!["podIP"]!.GetValue<string>(), out var ip) ? ip.GetAddressBytes() : [], AddressBytes.Comparer)
            .ThenBy(p => p["metadata"]?["uid"]?.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
        var ports = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        WriteEndpoints(service, ns, name, pods, ports);
        WriteSlice(service, ns, name, pods, ports);
    }

    private void WriteEndpoints(JsonObject service, string ns, string name, List<JsonObject> pods, List<JsonObject> ports)
    {
        var publishNotReady = PublishesNotReady(service);
        var ready = pods.Where(p => publishNotReady || WorkloadController.IsReady(p)).Select(p => Address(p, name)).ToArray();
        var notReady = pods.Where(p => !publishNotReady && !WorkloadController.IsReady(p)).Select(p => Address(p, name)).ToArray();
        var desired = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = service["metadata"]?["labels"]?.DeepClone(),
            },
        };
        if (pods.Count > 0)
        {
            var subset = new JsonObject();
            if (ready.Length > 0)
            {
                subset["addresses"] = new JsonArray(ready);
            }

            if (notReady.Length > 0)
            {
                subset["notReadyAddresses"] = new JsonArray(notReady);
            }

            subset["ports"] = new JsonArray(ports.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p["name"]?.DeepClone(),
                ["port"] = TargetPort(p, pods[0]),
                ["protocol"] = p["protocol"]?.DeepClone() ?? "TCP",
            }).ToArray());
            desired["subsets"] = new JsonArray(subset);
        }

        Upsert(Endpoints, ns, name, desired);
    }

    private void WriteSlice(JsonObject service, string ns, string name, List<JsonObject> pods, List<JsonObject> ports)
    {
        var existing = Store.List(Slices, ns).Items.FirstOrDefault(s => s["metadata"]?["labels"]?[ServiceNameLabel]?.GetValue<string>() == name
            && StoreOps.OwnedBy(s, StoreOps.Uid(service)));
        var desired = new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = existing is null ? null : StoreOps.Name(existing),
                ["generateName"] = name + "-",
                ["namespace"] = ns,
                ["labels"] = new JsonObject
                {
                    [ServiceNameLabel] = name,
                    ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io",
                },
                ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(service, "v1", "Service")),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = new JsonArray(pods.Select(p => (JsonNode)SliceEndpoint(p, ns, name, PublishesNotReady(service))).ToArray()),
            ["ports"] = new JsonArray(ports.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p["name"]?.DeepClone() ?? "",
                ["port"] = pods.Count > 0 ? TargetPort(p, pods[0]) : JsonTree.GetInt64(p, "targetPort") ?? JsonTree.GetInt64(p, "port"),
                ["protocol"] = p["protocol"]?.DeepClone() ?? "TCP",
            }).ToArray()),
        };
        if (existing is null)
        {
            ((JsonObject)desired["metadata"]!).Remove("name");
            StoreOps.TryCreate(Store, Slices, ns, desired);
        }
        else
        {
            Upsert(Slices, ns, StoreOps.Name(existing), desired);
        }
    }

    private void Upsert(string key, string ns, string name, JsonObject desired)
    {
        var current = Store.Get(key, ns, name);
        if (current is null)
        {
            StoreOps.TryCreate(Store, key, ns, desired);
            return;
        }

        StoreOps.TryUpdate(Store, key, ns, name, obj =>
        {
            foreach (var (field, value) in desired)
            {
                if (field == "metadata")
                {
                    var metadata = obj["metadata"]!.AsObject();
                    metadata["labels"] = desired["metadata"]?["labels"]?.DeepClone();
                    continue;
                }

                obj[field] = value?.DeepClone();
            }

            foreach (var field in obj.Select(p => p.Key).Where(k => k is not ("metadata" or "apiVersion" or "kind") && !desired.ContainsKey(k)).ToList())
            {
                obj.Remove(field);
            }

            return obj;
        });
    }

    private static JsonObject Address(JsonObject pod, string serviceName)
    {
        var address = new JsonObject { ["ip"] = pod["status"]!["podIP"]!.DeepClone() };
        if (Hostname(pod, serviceName) is { } hostname)
        {
            address["hostname"] = hostname;
        }

        address["nodeName"] = pod["spec"]?["nodeName"]?.DeepClone();
        address["targetRef"] = new JsonObject
        {
            ["kind"] = "Pod",
            ["namespace"] = pod["metadata"]?["namespace"]?.DeepClone(),
            ["name"] = StoreOps.Name(pod),
            ["uid"] = StoreOps.Uid(pod),
        };
        return address;
    }

    // The endpointslice controller: ready also when the Service publishes not-ready addresses; serving is the pod's own.
    private static JsonObject SliceEndpoint(JsonObject pod, string ns, string serviceName, bool publishNotReady)
    {
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray(pod["status"]!["podIP"]!.DeepClone()),
            ["conditions"] = new JsonObject
            {
                ["ready"] = publishNotReady || WorkloadController.IsReady(pod),
                ["serving"] = WorkloadController.IsReady(pod),
                ["terminating"] = false,
            },
        };
        if (Hostname(pod, serviceName) is { } hostname)
        {
            endpoint["hostname"] = hostname;
        }

        endpoint["nodeName"] = pod["spec"]?["nodeName"]?.DeepClone();
        endpoint["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = ns, ["name"] = StoreOps.Name(pod), ["uid"] = StoreOps.Uid(pod) };
        return endpoint;
    }

    /// <summary>A pod's spec.hostname names its endpoint only under the Service its spec.subdomain names (StatefulSet pods).</summary>
    private static string? Hostname(JsonObject pod, string serviceName) =>
        JsonTree.GetString(pod, "spec", "hostname") is { Length: > 0 } hostname && JsonTree.GetString(pod, "spec", "subdomain") == serviceName ? hostname : null;

    private static bool PublishesNotReady(JsonObject service) =>
        service["spec"]?["publishNotReadyAddresses"] is JsonValue v && v.TryGetValue<bool>(out var publish) && publish;

    /// <summary>Resolves a Service targetPort (number or container port name) against a pod.</summary>
    private static long TargetPort(JsonObject servicePort, JsonObject pod)
    {
        var target = servicePort["targetPort"];
        if (target is JsonValue v && v.TryGetValue<string>(out var portName))
        {
            foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (port["name"]?.GetValue<string>() == portName)
                    {
                        return JsonTree.GetInt64(port, "containerPort") ?? 0;
                    }
                }
            }
        }

        return JsonTree.GetInt64(servicePort, "targetPort") ?? JsonTree.GetInt64(servicePort, "port") ?? 0;
    }
}

/// <summary>Orders addresses by their bytes, as the real endpoints controller sorts subsets (by IP, then UID).</summary>
internal sealed class AddressBytes : IComparer<byte[]>
{
    public static readonly AddressBytes Comparer = new();

    public int Compare(byte[]? x, byte[]? y) => ((ReadOnlySpan<byte>)x).SequenceCompareTo(y);
}
