using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Grains.Kubernetes;

/// <summary>The ServiceImport object (spec for server-side apply, status.routing) written from a merged import.</summary>
public static class ServiceImportDocument
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static JsonObject Spec(MergedImport import)
    {
        var spec = new JsonObject
        {
            ["type"] = import.Type,
            ["sessionAffinity"] = import.SessionAffinity,
            ["ports"] = new JsonArray(import.Ports.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name ?? "",
                ["protocol"] = p.Protocol,
                ["appProtocol"] = p.AppProtocol,
                ["port"] = p.Port,
                ["endpoints"] = new JsonArray(p.Endpoints.Select(e => (JsonNode)new JsonObject
                {
                    ["clusterKey"] = e.ClusterKey,
                    ["target"] = new JsonObject { ["host"] = e.Host, ["ip"] = e.Ip, ["port"] = e.Port, ["path"] = e.Path },
                }).ToArray()),
            }).ToArray()),
        };
        if (import.SessionAffinityTimeoutSeconds is { } timeout)
        {
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = timeout } };
        }

        if (!string.IsNullOrEmpty(import.ServiceAccountName))
        {
            spec["serviceAccountName"] = import.ServiceAccountName;
        }

        RemoveNulls(spec);
        return spec;
    }

    public static JsonObject Apply(MergedImport import) => new()
    {
        ["apiVersion"] = ServiceImportResource.GroupVersion,
        ["kind"] = "ServiceImport",
        ["metadata"] = new JsonObject
        {
            ["name"] = import.Name,
            ["namespace"] = import.Namespace,
            ["labels"] = new JsonObject { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
            ["annotations"] = new JsonObject { [ServiceImportResource.VersionAnnotation] = import.Version.ToString(CultureInfo.InvariantCulture) },
        },
        ["spec"] = Spec(import),
    };

    public static JsonObject Status(Routing routing) => new()
    {
        ["routing"] = JsonSerializer.SerializeToNode(routing, Json),
    };

    private static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, child) in obj)
                {
                    RemoveNulls(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RemoveNulls(child);
                }

                break;
        }
    }
}
