using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// A container's environment as the kubelet builds it: the image's Env, then the service variables
/// (KUBERNETES_SERVICE_HOST and friends, and service links of the namespace's Services), then envFrom, then env
/// with <c>$(VAR)</c> expanded against what came before; values from fieldRef, resourceFieldRef, secretKeyRef and
/// configMapKeyRef (optional honoured).
/// </summary>
public static class ContainerEnvironment
{
    public static List<KeyValuePair<string, string>> Build(JsonObject pod, JsonObject container, ImageConfig image, ObjectStore store, IPodClusterServices services)
    {
        var ns = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        var result = new List<KeyValuePair<string, string>>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            var at = result.FindIndex(p => p.Key == name);
            if (at >= 0)
            {
                result[at] = new(name, value);
            }
            else
            {
                result.Add(new(name, value));
            }

            values[name] = value;
        }

        foreach (var entry in image.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            Set(eq < 0 ? entry : entry[..eq], eq < 0 ? "" : entry[(eq + 1)..]);
        }

        Set("HOSTNAME", PodHostname(pod));
        var expandable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in ServiceVariables(pod, ns, store, services))
        {
            Set(name, value);
            expandable[name] = value;
        }

        foreach (var source in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var prefix = source["prefix"]?.GetValue<string>() ?? "";
            var (kind, reference) = source["secretRef"] is JsonObject s ? ("Secret", s) : ("ConfigMap", source["configMapRef"] as JsonObject ?? []);
            var optional = reference["optional"]?.GetValue<bool>() ?? false;
            var data = Data(store, ns, kind, reference["name"]?.GetValue<string>() ?? "", optional);
            foreach (var (key, value) in data ?? [])
            {
                Set(prefix + key, value);
                expandable[prefix + key] = value;
            }
        }

        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = variable["name"]?.GetValue<string>() ?? "";
            string? value;
            if (variable["valueFrom"] is JsonObject from)
            {
                value = ValueFrom(pod, container, from, ns, store);
                if (value is null)
                {
                    continue;
                }
            }
            else
            {
                value = VariableExpansion.Expand(variable["value"]?.GetValue<string>() ?? "", n => expandable.GetValueOrDefault(n));
            }

            Set(name, value);
            expandable[name] = value;
        }

        return result;
    }

    /// <summary>The pod's hostname: spec.hostname, else its name (at most 63 characters, as the kubelet truncates).</summary>
    public static string PodHostname(JsonObject pod)
    {
        var name = pod["spec"]?["hostname"]?.GetValue<string>() ?? pod["metadata"]?["name"]?.GetValue<string>() ?? "pod";
        return name.Length > 63 ? name[..63].TrimEnd('-', '.') : name;
    }

    /// <summary>The value of a secret's or config map's key, or null when optional and missing.</summary>
    public static string? KeyValue(ObjectStore store, string ns, string kind, JsonObject selector)
    {
        var optional = selector["optional"]?.GetValue<bool>() ?? false;
        var name = selector["name"]?.GetValue<string>() ?? "";
        var key = selector["key"]?.GetValue<string>() ?? "";
        var data = Data(store, ns, kind, name, optional);
        if (data is null)
        {
            return null;
        }

        return data.TryGetValue(key, out var value) ? value
            : optional ? null
            : throw new ContainerConfigException($"couldn't find key {key} in {kind} {ns}/{name}");
    }

    /// <summary>A secret's (base64-decoded) or config map's data; null when optional and missing.</summary>
    public static Dictionary<string, string>? Data(ObjectStore store, string ns, string kind, string name, bool optional)
    {
        var raw = DataBytes(store, ns, kind, name, optional);
        return raw?.ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal);
    }

    /// <summary>The bytes of every key of a secret or config map (binaryData included); null when optional and missing.</summary>
    public static Dictionary<string, byte[]>? DataBytes(ObjectStore store, string ns, string kind, string name, bool optional)
    {
        var obj = store.Get(kind == "Secret" ? "secrets" : "configmaps", ns, name);
        if (obj is null)
        {
            return optional ? null : throw new ContainerConfigException($"{kind.ToLowerInvariant()} \"{name}\" not found");
        }

        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in obj["data"] as JsonObject ?? [])
        {
            var text = value?.GetValue<string>() ?? "";
            result[key] = kind == "Secret" ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        }

        foreach (var (key, value) in obj["stringData"] as JsonObject ?? [])
        {
            result[key] = Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? "");
        }

        foreach (var (key, value) in obj["binaryData"] as JsonObject ?? [])
        {
            result[key] = Convert.FromBase64String(value?.GetValue<string>() ?? "");
        }

        return result;
    }

    private static string? ValueFrom(JsonObject pod, JsonObject container, JsonObject from, string ns, ObjectStore store)
    {
        if (from["fieldRef"]?["fieldPath"]?.GetValue<string>() is { } fieldPath)
        {
            return PodFieldPath.Resolve(pod, fieldPath);
        }

        if (from["resourceFieldRef"] is JsonObject resource)
        {
            var target = resource["containerName"]?.GetValue<string>() is { Length: > 0 } other
                ? (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == other) ?? container
                : container;
            return ResourceFieldRef.Resolve(target, resource["resource"]?.GetValue<string>() ?? "", resource["divisor"]?.ToString());
        }

        if (from["secretKeyRef"] is JsonObject secret)
        {
            return KeyValue(store, ns, "Secret", secret);
        }

        return from["configMapKeyRef"] is JsonObject configMap ? KeyValue(store, ns, "ConfigMap", configMap) : null;
    }

    private static IEnumerable<(string, string)> ServiceVariables(JsonObject pod, string ns, ObjectStore store, IPodClusterServices services)
    {
        var links = new List<(string Name, string Ip, JsonArray Ports)>();
        if (pod["spec"]?["enableServiceLinks"]?.GetValue<bool>() ?? true)
        {
            foreach (var service in store.List("services", ns).Items)
            {
                if (service["spec"]?["clusterIP"]?.GetValue<string>() is { } ip && ip is not ("None" or "") && service["spec"]?["ports"] is JsonArray { Count: > 0 } ports)
                {
                    links.Add((service["metadata"]!["name"]!.GetValue<string>(), ip, ports));
                }
            }
        }

        var apiPort = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = services.ApiPort, ["protocol"] = "TCP" });
        links.Add(("kubernetes", services.ApiHost, apiPort));
        foreach (var (name, ip, ports) in links)
        {
            var prefix = name.ToUpperInvariant().Replace('-', '_');
            var first = ports.OfType<JsonObject>().First();
            yield return ($"{prefix}_SERVICE_HOST", ip);
            yield return ($"{prefix}_SERVICE_PORT", Port(first));
            foreach (var port in ports.OfType<JsonObject>().Where(p => p["name"] is not null))
            {
                yield return ($"{prefix}_SERVICE_PORT_{port["name"]!.GetValue<string>().ToUpperInvariant().Replace('-', '_')}", Port(port));
            }

            yield return ($"{prefix}_PORT", $"{Protocol(first).ToLowerInvariant()}://{ip}:{Port(first)}");
            foreach (var port in ports.OfType<JsonObject>())
            {
                var stem = $"{prefix}_PORT_{Port(port)}_{Protocol(port)}";
                yield return (stem, $"{Protocol(port).ToLowerInvariant()}://{ip}:{Port(port)}");
                yield return ($"{stem}_PROTO", Protocol(port).ToLowerInvariant());
                yield return ($"{stem}_PORT", Port(port));
                yield return ($"{stem}_ADDR", ip);
            }
        }
    }

    private static string Port(JsonObject port) => (JsonTree.GetInt64(port, "port") ?? 0).ToString(CultureInfo.InvariantCulture);

    private static string Protocol(JsonObject port) => port["protocol"]?.GetValue<string>() ?? "TCP";
}
