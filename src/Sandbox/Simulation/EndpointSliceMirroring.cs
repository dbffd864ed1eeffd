using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// The endpointslicemirroring controller: the Endpoints someone wrote by hand for a Service without a selector are
/// mirrored into EndpointSlices (owned by those Endpoints), since kube-proxy and CoreDNS read only slices. A Service
/// with a selector, a missing Service, or Endpoints labelled skip-mirror have no mirrored slices.
/// </summary>
public sealed class EndpointSliceMirroring(SandboxCluster cluster) : IClusterController
{
    public const string ManagedBy = "endpointslicemirroring-controller.k8s.io";

    private const string Slices = "endpointslices.discovery.k8s.io";
    private const string ServiceNameLabel = "kubernetes.io/service-name";
    private const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    private const string SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey is "endpoints" or "services")
        {
            var (ns, name) = (e.Namespace, e.Name);
            queue.Enqueue($"mirror/{ns}/{name}", () => Reconcile(ns, name));
        }
    }

    private void Reconcile(string ns, string name)
    {
        var service = Store.Get("services", ns, name);
        var endpoints = Store.Get("endpoints", ns, name);
        var mirrored = Store.List(Slices, ns).Items
            .Where(s => JsonTree.GetString(s, "metadata", "labels", ServiceNameLabel) == name && JsonTree.GetString(s, "metadata", "labels", ManagedByLabel) == ManagedBy)
            .OrderBy(StoreOps.Name, StringComparer.Ordinal)
            .ToList();
        var mirror = service is not null && endpoints is not null && !StoreOps.Deleting(endpoints)
            && service["spec"]?["selector"] is not JsonObject { Count: > 0 }
            && JsonTree.GetString(endpoints, "metadata", "labels", SkipMirrorLabel) != "true";
        var desired = mirror ? (endpoints!["subsets"] as JsonArray ?? []).OfType<JsonObject>().Select(s => Slice(endpoints, ns, name, s)).ToList() : [];

        for (var i = 0; i < Math.Max(desired.Count, mirrored.Count); i++)
        {
            if (i >= desired.Count)
            {
                StoreOps.TryRemove(Store, Slices, ns, StoreOps.Name(mirrored[i]));
            }
            else if (i >= mirrored.Count)
            {
                StoreOps.TryCreate(Store, Slices, ns, desired[i]);
            }
            else
            {
                var next = desired[i];
                StoreOps.TryUpdate(Store, Slices, ns, StoreOps.Name(mirrored[i]), slice =>
                {
                    slice["metadata"]!["labels"] = next["metadata"]!["labels"]!.DeepClone();
                    slice["endpoints"] = next["endpoints"]!.DeepClone();
                    slice["ports"] = next["ports"]!.DeepClone();
                    return slice;
                });
            }
        }
    }

    // One slice per subset (a subset's addresses share its ports, as a slice's endpoints share the slice's ports).
    private static JsonObject Slice(JsonObject endpoints, string ns, string name, JsonObject subset)
    {
        var labels = endpoints["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        labels[ServiceNameLabel] = name;
        labels[ManagedByLabel] = ManagedBy;
        var items = new JsonArray();
        foreach (var (field, ready) in new[] { ("addresses", true), ("notReadyAddresses", false) })
        {
            foreach (var address in (subset[field] as JsonArray ?? []).OfType<JsonObject>())
            {
                var endpoint = new JsonObject
                {
                    ["addresses"] = new JsonArray(address["ip"]?.DeepClone()),
                    ["conditions"] = new JsonObject { ["ready"] = ready },
                };
                foreach (var copied in new[] { "hostname", "nodeName", "targetRef" })
                {
                    if (address[copied] is { } value)
                    {
                        endpoint[copied] = value.DeepClone();
                    }
                }

                items.Add(endpoint);
            }
        }

        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = name + "-",
                ["namespace"] = ns,
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(endpoints, "v1", "Endpoints")),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = items,
            ["ports"] = new JsonArray([.. (subset["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p["name"]?.DeepClone() ?? "",
                ["port"] = p["port"]?.DeepClone(),
                ["protocol"] = p["protocol"]?.DeepClone() ?? "TCP",
            })]),
        };
    }
}
