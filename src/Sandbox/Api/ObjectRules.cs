using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>Per-kind validation and defaulting, the part of a real API server's registry strategies we need.</summary>
public static partial class ObjectRules
{
    public static void ValidateIdentity(ResourceType type, JsonObject obj, string? urlNamespace, string? urlName, bool creating)
    {
        // Like a real server, a body without apiVersion/kind takes them from the URL it was sent to.
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        if ((obj["apiVersion"] is not null && apiVersion is null) || (obj["kind"] is not null && kind is null))
        {
            throw ApiException.BadRequest("apiVersion and kind must be strings");
        }

        apiVersion ??= type.ApiVersion;
        kind ??= type.Kind;
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        if (apiVersion != type.ApiVersion || kind != type.Kind)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or kind {kind} is not {type.Kind}");
        }

        var metadata = obj["metadata"] as JsonObject;
        if (metadata is null)
        {
            if (obj.ContainsKey("metadata"))
            {
                throw ApiException.BadRequest("metadata must be an object");
            }

            metadata = [];
            obj["metadata"] = metadata;
        }

        var name = metadata["name"] is JsonValue nv && nv.TryGetValue<string>(out var n) ? n : null;
        var generateName = metadata["generateName"] is JsonValue gv && gv.TryGetValue<string>(out var g) ? g : null;
        if (urlName is not null && name is not null && name != urlName)
        {
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({urlName})");
        }

        if (string.IsNullOrEmpty(name))
        {
            if (!creating || string.IsNullOrEmpty(generateName))
            {
                throw ApiException.Invalid(type.Kind, type.Group, "", [("metadata.name", "Required value: name or generateName is required")]);
            }
        }
        else
        {
            ValidateName(type, name);
        }

        if (type.Namespaced)
        {
            var ns = metadata["namespace"]?.GetValue<string>();
            if (ns is not null && urlNamespace is not null && ns != urlNamespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = urlNamespace ?? ns;
        }
        else
        {
            metadata.Remove("namespace");
        }

        foreach (var field in new[] { "labels", "annotations" })
        {
            if (metadata[field] is JsonObject map)
            {
                foreach (var (key, value) in map)
                {
                    if (value is not JsonValue v || !v.TryGetValue<string>(out _))
                    {
                        throw ApiException.BadRequest($"metadata.{field}.{key}: must be a string");
                    }
                }
            }
            else if (metadata.ContainsKey(field) && metadata[field] is not null)
            {
                throw ApiException.BadRequest($"metadata.{field} must be a map of strings");
            }
        }
    }

    public static void ValidateName(ResourceType type, string name)
    {
        var (pattern, max, what) = type.Kind switch
        {
            "Namespace" => (LabelPattern(), 63, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"),
            "Service" => (Dns1035Pattern(), 63, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"),
            _ => (SubdomainPattern(), 253, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
        };
        if (name.Length > max || !pattern.IsMatch(name))
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, [("metadata.name", $"Invalid value: \"{name}\": {what} (regex used for validation is '{pattern}')")]);
        }
    }

    /// <summary>Fills defaults a real server's registry sets for the built-in kinds.</summary>
    public static void ApplyDefaults(ResourceType type, JsonObject obj, ServiceIpAllocator ips, bool creating)
    {
        if (type.IsCustom)
        {
            return;
        }

        switch (type.Kind)
        {
            case "Namespace":
                JsonTree.EnsureObject(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
                JsonTree.EnsureObject(obj, "status")["phase"] ??= "Active";
                var labels = JsonTree.EnsureObject(JsonTree.EnsureObject(obj, "metadata"), "labels");
                labels["kubernetes.io/metadata.name"] = obj["metadata"]!["name"]?.DeepClone();
                break;
            case "Service":
                ServiceRules.Default(obj, ips, creating);
                break;
            case "Deployment" or "ReplicaSet":
                var spec = JsonTree.EnsureObject(obj, "spec");
                spec["replicas"] ??= 1;
                if (type.Kind == "Deployment")
                {
                    spec["revisionHistoryLimit"] ??= 10;
                    spec["progressDeadlineSeconds"] ??= 600;
                    // "strategy: {}" (03-curl.yaml, kubectl create deployment) defaults like no strategy at all.
                    var strategy = JsonTree.EnsureObject(spec, "strategy");
                    strategy["type"] ??= "RollingUpdate";
                    if (strategy["type"]?.GetValue<string>() == "RollingUpdate")
                    {
                        var rollingUpdate = JsonTree.EnsureObject(strategy, "rollingUpdate");
                        rollingUpdate["maxUnavailable"] ??= "25%";
                        rollingUpdate["maxSurge"] ??= "25%";
                    }
                }

                DefaultPodSpec(spec["template"]?["spec"] as JsonObject);
                if (spec["template"] is JsonObject template && !JsonTree.EnsureObject(template, "metadata").ContainsKey("creationTimestamp"))
                {
                    // A real server serializes the template's zero metav1.Time as null. kubectl's three-way merge
                    // relies on it: manifests carrying "creationTimestamp: null" (03-curl.yaml) re-apply as unchanged.
                    template["metadata"]!["creationTimestamp"] = null;
                }

                break;
            case "Pod":
                DefaultPodSpec(obj["spec"] as JsonObject);
                if (creating)
                {
                    JsonTree.EnsureObject(obj, "status")["phase"] ??= "Pending";
                }

                break;
            case "Secret":
                obj["type"] ??= "Opaque";
                break;
        }
    }

    /// <summary>Validation beyond identity for the built-in kinds.</summary>
    public static void ValidateSpec(ResourceType type, JsonObject obj)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        var causes = new List<(string, string)>();
        switch (type.Kind)
        {
            case "Service":
                ServiceRules.Validate(obj, causes);
                break;
            case "Deployment" or "ReplicaSet":
                var selector = obj["spec"]?["selector"]?["matchLabels"] as JsonObject;
                var templateLabels = obj["spec"]?["template"]?["metadata"]?["labels"] as JsonObject;
                if (selector is null || selector.Count == 0)
                {
                    causes.Add(("spec.selector", "Required value"));
                }
                else if (templateLabels is null || selector.Any(kv => templateLabels[kv.Key]?.GetValue<string>() != kv.Value?.GetValue<string>()))
                {
                    causes.Add(("spec.template.metadata.labels", "Invalid value: `selector` does not match template `labels`"));
                }

                if (obj["spec"]?["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 })
                {
                    causes.Add(("spec.template.spec.containers", "Required value"));
                }

                if (JsonTree.GetInt64(obj, "spec", "replicas") is < 0)
                {
                    causes.Add(("spec.replicas", "Invalid value: must be greater than or equal to 0"));
                }

                break;
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, causes);
        }
    }

    /// <summary>Container ports default to TCP, as the real defaulter does (kubectl describe prints "8080/TCP").</summary>
    private static void DefaultPodSpec(JsonObject? podSpec)
    {
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (podSpec?[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    port["protocol"] ??= "TCP";
                }
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Pattern();
}
