using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Service defaulting, IP family admission and validation as kube-apiserver does them (core/v1 SetDefaults_Service,
/// the service REST allocator on a single-stack IPv4 cluster, ValidateService), in its words.
/// </summary>
public static partial class ServiceRules
{
    /// <summary>kube-proxy's default ClientIP affinity timeout (3 hours) and its upper bound (1 day).</summary>
    public const int DefaultAffinitySeconds = 10800;

    public const int MaxAffinitySeconds = 86400;

    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public static void Default(JsonObject obj, ServiceIpAllocator ips, bool creating)
    {
        var spec = JsonTree.EnsureObject(obj, "spec");
        spec["type"] ??= "ClusterIP";
        var type = JsonTree.GetString(spec, "type");
        spec["sessionAffinity"] ??= "None";
        if (JsonTree.GetString(spec, "sessionAffinity") == "ClientIP" && spec["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"] is null)
        {
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = DefaultAffinitySeconds } };
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }

        if (type != "ExternalName")
        {
            // The allocator runs before validation, and refuses before it allocates anything.
            AdmitFamilies(obj, spec);
            if (JsonTree.GetString(spec, "clusterIP") is { } given && spec["clusterIPs"] is null)
            {
                spec["clusterIPs"] = new JsonArray(given);
            }

            if (creating && spec["clusterIP"] is null)
            {
                var ip = ips.Allocate();
                spec["clusterIP"] = ip;
                spec["clusterIPs"] = new JsonArray(ip);
            }

            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }

        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            var target = port["targetPort"];
            if ((target is null || JsonTree.AsInt64(target) == 0 || JsonTree.GetString(target) == "") && port["port"] is { } p)
            {
                port["targetPort"] = p.DeepClone();
            }
        }

        JsonTree.EnsureObject(obj, "status")["loadBalancer"] ??= new JsonObject();
    }

    /// <summary>
    /// A type change to ExternalName drops what only other types have when the client left it as it was (kubectl
    /// apply sends back the allocated clusterIP and families), as the strategy's dropTypeDependentFields does.
    /// </summary>
    public static void DropTypeDependentFields(JsonObject obj, JsonObject current)
    {
        if (obj["spec"] is not JsonObject spec || JsonTree.GetString(spec, "type") != "ExternalName" || JsonTree.GetString(current, "spec", "type") == "ExternalName")
        {
            return;
        }

        foreach (var field in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy" })
        {
            if (JsonNode.DeepEquals(spec[field], current["spec"]?[field]))
            {
                spec.Remove(field);
            }
        }
    }

    public static void Validate(JsonObject obj, List<(string Field, string Message)> causes)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        var type = JsonTree.GetString(spec, "type");
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            causes.Add(("spec.type", $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }

        if (type == "ExternalName")
        {
            ValidateExternalName(spec, causes);
        }

        if (spec["ports"] is JsonArray ports)
        {
            ValidatePorts(ports, causes);
        }
        else if (type != "ExternalName" && JsonTree.GetString(spec, "clusterIP") != "None")
        {
            causes.Add(("spec.ports", "Required value"));
        }

        ValidateAffinity(spec, causes);
    }

    private static void AdmitFamilies(JsonObject obj, JsonObject spec)
    {
        var causes = new List<(string, string)>();
        if (JsonTree.GetString(spec, "ipFamilyPolicy") == "RequireDualStack")
        {
            causes.Add(("spec.ipFamilyPolicy", "Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"));
        }

        var families = spec["ipFamilies"] as JsonArray ?? [];
        for (var i = 0; i < families.Count; i++)
        {
            if (JsonTree.GetString(families[i]) is { } family && family != "IPv4")
            {
                causes.Add(($"spec.ipFamilies[{i}]", $"Invalid value: {families.ToJsonString()}: ipfamily {family} is not configured on cluster"));
            }
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid("Service", "", JsonTree.GetString(obj, "metadata", "name") ?? "", causes);
        }
    }

    private static void ValidateExternalName(JsonObject spec, List<(string, string)> causes)
    {
        if (spec["clusterIPs"] is JsonArray { Count: > 0 })
        {
            causes.Add(("spec.clusterIPs", "Forbidden: may not be set for ExternalName services"));
        }

        if (spec["ipFamilies"] is JsonArray { Count: > 0 })
        {
            causes.Add(("spec.ipFamilies", "Forbidden: may not be set for ExternalName services"));
        }

        if (spec["ipFamilyPolicy"] is not null)
        {
            causes.Add(("spec.ipFamilyPolicy", "Forbidden: may not be set for ExternalName services"));
        }

        // A trailing dot marks the name fully qualified.
        var cname = (JsonTree.GetString(spec, "externalName") ?? "").TrimEnd('.');
        if (cname.Length == 0)
        {
            causes.Add(("spec.externalName", "Required value"));
        }
        else if (cname.Length > 253 || !Subdomain().IsMatch(cname))
        {
            causes.Add(("spec.externalName", $"Invalid value: \"{cname}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
    }

    private static void ValidatePorts(JsonArray ports, List<(string, string)> causes)
    {
        var requireName = ports.Count > 1;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<(long?, string?)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var path = $"spec.ports[{i}]";
            var port = ports[i] as JsonObject ?? [];
            var name = JsonTree.GetString(port, "name") ?? "";
            if (name.Length == 0)
            {
                if (requireName)
                {
                    causes.Add(($"{path}.name", "Required value"));
                }
            }
            else if (name.Length > 63 || !Label().IsMatch(name))
            {
                causes.Add(($"{path}.name", $"Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
            }
            else if (!names.Add(name))
            {
                causes.Add(($"{path}.name", $"Duplicate value: \"{name}\""));
            }

            var number = JsonTree.GetInt64(port, "port");
            if (number is null or < 1 or > 65535)
            {
                causes.Add(($"{path}.port", $"Invalid value: {number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0"}: must be between 1 and 65535, inclusive"));
            }

            var protocol = JsonTree.GetString(port, "protocol");
            if (string.IsNullOrEmpty(protocol))
            {
                causes.Add(($"{path}.protocol", "Required value"));
            }
            else if (!Protocols.Contains(protocol))
            {
                causes.Add(($"{path}.protocol", $"Unsupported value: \"{protocol}\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
            }

            ValidateTargetPort(port["targetPort"], $"{path}.targetPort", causes);

            // (port, protocol) pairs are unique: tcp/42 and udp/42 are two ports, two tcp/42 are one too many.
            if (!keys.Add((number, protocol)))
            {
                causes.Add((path, $"Duplicate value: {{\"protocol\":\"{protocol}\",\"port\":{number}}}"));
            }
        }
    }

    private static void ValidateTargetPort(JsonNode? target, string path, List<(string, string)> causes)
    {
        if (target is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var name = value.GetValue<string>();
            if (name.Length > 15 || !ServiceName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal) || !name.Any(char.IsAsciiLetter))
            {
                causes.Add((path, $"Invalid value: \"{name}\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), at most 15 characters, start and end with an alpha-numeric character, contain at least one letter (a-z)"));
            }
        }
        else if (JsonTree.AsInt64(target) is { } number && number is < 1 or > 65535)
        {
            causes.Add((path, $"Invalid value: {number}: must be between 1 and 65535, inclusive"));
        }
    }

    private static void ValidateAffinity(JsonObject spec, List<(string, string)> causes)
    {
        switch (JsonTree.GetString(spec, "sessionAffinity"))
        {
            case "None":
                if (spec["sessionAffinityConfig"] is JsonObject { Count: > 0 })
                {
                    causes.Add(("spec.sessionAffinityConfig", "Forbidden: must not be set when session affinity is None"));
                }

                break;
            case "ClientIP":
                var timeout = JsonTree.GetInt64(spec, "sessionAffinityConfig", "clientIP", "timeoutSeconds");
                if (timeout is null or <= 0 or > MaxAffinitySeconds)
                {
                    causes.Add(("spec.sessionAffinityConfig.clientIP.timeoutSeconds", $"Invalid value: {timeout ?? 0}: must be greater than 0 and less than {MaxAffinitySeconds}"));
                }

                break;
            case var other:
                causes.Add(("spec.sessionAffinity", $"Unsupported value: \"{other}\": supported values: \"ClientIP\", \"None\""));
                break;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex ServiceName();
}
