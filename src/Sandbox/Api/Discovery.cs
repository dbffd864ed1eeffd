using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Resources;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>Legacy (unaggregated) discovery documents: /api, /apis, /apis/{group} and each group/version.</summary>
public static class Discovery
{
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-sandbox",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(catalog.Groups().Where(g => g.Key.Length > 0).Select(g => (JsonNode)Group(g.Key, g)).ToArray()),
    };

    public static JsonObject? GroupDocument(ResourceCatalog catalog, string group)
    {
        var types = catalog.All.Where(t => t.Group == group).ToList();
        return types.Count == 0 ? null : Group(group, types);
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            var resource = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray(t.Verbs.Select(v => (JsonNode?)v).ToArray()),
            };
            if (t.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray(t.ShortNames.Select(s => (JsonNode?)s).ToArray());
            }

            if (t.Categories.Count > 0)
            {
                resource["categories"] = new JsonArray(t.Categories.Select(s => (JsonNode?)s).ToArray());
            }

            resources.Add(resource);
            if (t.HasStatus)
            {
                resources.Add(Subresource(t, "status", t.Kind, null));
            }

            if (t.Scale is not null)
            {
                resources.Add(Subresource(t, "scale", "Scale", "autoscaling"));
            }

            foreach (var extra in t.ExtraSubresources)
            {
                var subresource = Subresource(t, extra.Name, extra.Kind, extra.Group);
                subresource["verbs"] = new JsonArray(extra.Verbs.Select(v => (JsonNode?)v).ToArray());
                resources.Add(subresource);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceType t, string name, string kind, string? group)
    {
        var resource = new JsonObject
        {
            ["name"] = $"{t.Plural}/{name}",
            ["singularName"] = "",
            ["namespaced"] = t.Namespaced,
            ["kind"] = kind,
            ["verbs"] = new JsonArray(SubresourceVerbs.Select(v => (JsonNode?)v).ToArray()),
        };
        if (group is not null)
        {
            resource["group"] = group;
            resource["version"] = "v1";
        }

        return resource;
    }

    private static JsonObject Group(string name, IEnumerable<ResourceType> types)
    {
        var versions = KubeVersionOrder.Sort(types.Select(t => t.Version).Distinct()).ToList();
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToArray()),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{name}/{versions[0]}", ["version"] = versions[0] },
        };
    }
}
