using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Resources;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// A minimal OpenAPI v3 surface. kubectl reads it to learn that the server validates fields itself
/// (the <c>fieldValidation</c> parameter on PATCH), so <c>kubectl apply</c> works without <c>--validate=false</c>.
/// </summary>
public static class OpenApiDocuments
{
    private const string Title = "Kubernetes (ErieCanal.Orleans sandbox)";
    private const string ServerVersion = "v1.32.0";

    /// <summary>The protobuf media type kubectl asks for when it reads <c>/openapi/v2</c>.</summary>
    public const string V2ProtobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /// <summary>
    /// An OpenAPI v2 document without definitions. kubectl falls back to v2 when a kind is missing from the v3
    /// documents (an unknown kind or group); with no schema there it skips client-side validation and lets the
    /// REST mapping report "no matches for kind", as against a real server.
    /// </summary>
    public static JsonObject V2() => new()
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["title"] = Title, ["version"] = ServerVersion },
        ["paths"] = new JsonObject(),
        ["definitions"] = new JsonObject(),
    };

    /// <summary><see cref="V2"/> as a gnostic <c>openapi_v2.Document</c> protobuf (swagger = 1, info = 2 {title = 1, version = 2}).</summary>
    public static byte[] V2Protobuf()
    {
        var info = new List<byte>();
        ProtoString(info, 1, Title);
        ProtoString(info, 2, ServerVersion);
        var document = new List<byte>();
        ProtoString(document, 1, "2.0");
        ProtoBytes(document, 2, [.. info]);
        return [.. document];
    }

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
            ["info"] = new JsonObject { ["title"] = Title, ["version"] = ServerVersion },
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

    private static void ProtoString(List<byte> buffer, int field, string value) => ProtoBytes(buffer, field, System.Text.Encoding.UTF8.GetBytes(value));

    private static void ProtoBytes(List<byte> buffer, int field, byte[] value)
    {
        ProtoVarint(buffer, (uint)(field << 3 | 2));
        ProtoVarint(buffer, (uint)value.Length);
        buffer.AddRange(value);
    }

    private static void ProtoVarint(List<byte> buffer, uint value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }

    private static string Hash(ResourceCatalog catalog, string group, string version) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("|", catalog.All.Where(t => t.Group == group && t.Version == version).Select(t => t.Plural + t.Schema?.ToJsonString())))))[..16];
}
