using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Resources;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// A minimal OpenAPI v3 surface. kubectl reads it to learn that the server validates fields itself
/// (the <c>fieldValidation</c> parameter on PATCH), so <c>kubectl apply</c> works without <c>--validate=false</c>.
/// </summary>
public static class OpenApiDocuments
{
    public static JsonObject Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var gv in catalog.All.Select(t => (t.Group, t.Version)).Distinct())
        {
            var key = gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}";
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash(catalog, gv.Group, gv.Version)}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var t in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var item = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind };
            var schemaName = $"{(group.Length == 0 ? "io.k8s.api.core" : group)}.{version}.{t.Kind}";
            paths[item] = new JsonObject
            {
                ["get"] = Operation("read", t, gvk, null),
                ["put"] = Operation("replace", t, gvk, ["application/json", "application/yaml"]),
                ["patch"] = Operation("patch", t, gvk, ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]),
                ["delete"] = Operation("delete", t, gvk, null),
            };
            schemas[schemaName] = t.Schema?.DeepClone() ?? new JsonObject
            {
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
            };
            schemas[schemaName]!["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (ErieCanal.Orleans sandbox)", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(string verb, ResourceType t, JsonObject gvk, string[]? bodyTypes)
    {
        var parameters = new JsonArray(
            Parameter("dryRun"),
            Parameter("fieldManager"),
            Parameter("fieldValidation"));
        if (verb == "patch")
        {
            parameters.Add(Parameter("force"));
        }

        var op = new JsonObject
        {
            ["operationId"] = $"{verb}{t.Kind}",
            ["x-kubernetes-action"] = verb == "read" ? "get" : verb == "replace" ? "put" : verb,
            ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        };
        if (bodyTypes is not null)
        {
            var content = new JsonObject();
            foreach (var bodyType in bodyTypes)
            {
                content[bodyType] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } };
            }

            op["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        return op;
    }

    private static JsonObject Parameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static string Hash(ResourceCatalog catalog, string group, string version) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("|", catalog.All.Where(t => t.Group == group && t.Version == version).Select(t => t.Plural + t.Schema?.ToJsonString())))))[..16];
}
