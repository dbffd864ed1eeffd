using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Printing;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>
/// Serves a CustomResourceDefinition's resource the moment the CRD is stored (hooked into the store's commit),
/// and stops serving it when the CRD goes.
/// </summary>
public static class CrdRegistrar
{
    public const string StorageKey = "customresourcedefinitions.apiextensions.k8s.io";

    public static void OnCommitted(ResourceCatalog catalog, StoreEvent e)
    {
        if (e.StorageKey != StorageKey)
        {
            return;
        }

        var spec = e.Object["spec"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>() ?? "";
        var plural = spec?["names"]?["plural"]?.GetValue<string>() ?? "";
        catalog.Unregister(group, plural);
        if (e.Type == StoreEventType.Deleted || spec is null)
        {
            return;
        }

        foreach (var type in TypesOf(spec))
        {
            catalog.Register(type);
        }
    }

    public static IEnumerable<ResourceType> TypesOf(JsonObject spec)
    {
        var names = spec["names"] as JsonObject ?? [];
        var group = spec["group"]?.GetValue<string>() ?? "";
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            var subresources = version["subresources"] as JsonObject;
            var scale = subresources?["scale"] as JsonObject;
            yield return new ResourceType
            {
                Group = group,
                Version = version["name"]?.GetValue<string>() ?? "v1",
                Kind = names["kind"]?.GetValue<string>() ?? "",
                Plural = names["plural"]?.GetValue<string>() ?? "",
                Singular = names["singular"]?.GetValue<string>() ?? names["kind"]?.GetValue<string>()?.ToLowerInvariant() ?? "",
                Namespaced = spec["scope"]?.GetValue<string>() != "Cluster",
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = subresources?["status"] is not null,
                Scale = scale is null
                    ? null
                    : new ScaleSubresource(scale["specReplicasPath"]?.GetValue<string>() ?? ".spec.replicas", scale["statusReplicasPath"]?.GetValue<string>() ?? ".status.replicas", scale["labelSelectorPath"]?.GetValue<string>()),
                PrinterColumns = (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new PrinterColumn(
                    c["name"]?.GetValue<string>() ?? "",
                    c["type"]?.GetValue<string>() ?? "string",
                    c["jsonPath"]?.GetValue<string>() ?? "",
                    c["format"]?.GetValue<string>(),
                    c["description"]?.GetValue<string>(),
                    (int)(JsonTree.GetInt64(c, "priority") ?? 0))).ToList(),
                Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
                IsCustom = true,
            };
        }
    }

    /// <summary>The status a real server reports once it serves the CRD.</summary>
    public static JsonObject EstablishedStatus(JsonObject crd, DateTimeOffset now)
    {
        var time = ObjectStore.FormatTime(now);
        var names = crd["spec"]?["names"]?.DeepClone() ?? new JsonObject();
        // Versions objects were stored in stay listed; the current storage version joins them.
        var stored = (crd["status"]?["storedVersions"] as JsonArray ?? []).Select(v => v?.GetValue<string>())
            .Concat((crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(v => v["storage"]?.GetValue<bool>() == true).Select(v => v["name"]?.GetValue<string>()))
            .OfType<string>().Distinct(StringComparer.Ordinal).Select(v => (JsonNode?)v).ToArray();
        return new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", time),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", time)),
            ["storedVersions"] = new JsonArray(stored),
        };
    }

    private static JsonObject Condition(string type, string reason, string message, string time) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = time,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(a => a?.GetValue<string>()).OfType<string>().ToList() : [];
}
