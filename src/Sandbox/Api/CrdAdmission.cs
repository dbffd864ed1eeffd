using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// What apiextensions-apiserver's CRD strategy does on a CRD write that the sandbox relies on: status.storedVersions
/// starts as the storage version and only ever grows (every version objects may have been stored in), a version still
/// listed there cannot leave spec.versions, and webhook conversion, which the sandbox cannot call, is refused rather
/// than silently served as None.
/// </summary>
public static class CrdAdmission
{
    public static void Admit(JsonObject crd, JsonObject? current)
    {
        var causes = new List<(string Field, string Message)>();
        var spec = crd["spec"] as JsonObject;
        switch (Text(spec?["conversion"]?["strategy"]))
        {
            case null or "None":
                break;
            case "Webhook":
                causes.Add(("spec.conversion.strategy", "Unsupported value: \"Webhook\": supported values: \"None\" (the sandbox calls no conversion webhooks)"));
                break;
            case var other:
                causes.Add(("spec.conversion.strategy", $"Unsupported value: \"{other}\": supported values: \"None\", \"Webhook\""));
                break;
        }

        var versions = (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var names = versions.Select(v => Text(v["name"])).OfType<string>().ToList();
        var storage = versions.Where(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b).Select(v => Text(v["name"])).OfType<string>().FirstOrDefault();

        // PrepareForCreate starts the status afresh; PrepareForUpdate appends a new storage version to the old list.
        var stored = current is null
            ? []
            : (current["status"]?["storedVersions"] as JsonArray ?? []).Select(Text).OfType<string>().ToList();
        if (storage is not null && !stored.Contains(storage))
        {
            stored.Add(storage);
        }

        for (var i = 0; i < stored.Count; i++)
        {
            if (!names.Contains(stored[i]))
            {
                causes.Add(($"status.storedVersions[{i}]", $"Invalid value: \"{stored[i]}\": must appear in spec.versions"));
            }
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid("CustomResourceDefinition", "apiextensions.k8s.io", Text(crd["metadata"]?["name"]) ?? "", causes);
        }

        var status = current?["status"]?.DeepClone() as JsonObject ?? [];
        status["storedVersions"] = new JsonArray([.. stored.Select(v => (JsonNode?)v)]);
        crd["status"] = status;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
}
