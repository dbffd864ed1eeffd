using System.Text.Json.Nodes;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>ConfigMaps as the tests write them: through the API, or straight into the sandbox's store.</summary>
public static class ConfigMaps
{
    public static V1ConfigMap Object(string name, string ns, string value = "1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = new Dictionary<string, string> { ["key"] = value },
    };

    /// <summary>The store's form, for writes while the API is unreachable.</summary>
    public static JsonObject Json(string name, string ns, string value = "1") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject { ["key"] = value },
    };

    public static V1Namespace Namespace(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };
}
