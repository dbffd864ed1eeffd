using System.Collections.Immutable;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>
/// Checks that a member's flomesh.io CRDs can hold every field the system writes into them. A real API server
/// prunes fields its structural schema lacks, so with ErieCanal's own CRDs (ServiceImport status with only
/// <c>clusters</c>, GlobalTrafficPolicy status a bare object) status.routing and the conditions would vanish silently.
/// Incompatible or missing CRDs are replaced with the chart's when allowed; otherwise the report names CRD and field.
/// </summary>
public static class CrdCompatibility
{
    public const string Version = "v1alpha1";

    /// <summary>The CRDs checked, and the fields written into each (<c>[]</c> steps into array items).</summary>
    public static readonly ImmutableArray<(string Crd, ImmutableArray<(string Field, string Why)> Fields)> Required =
    [
        ("serviceimports.flomesh.io", [
            ("spec.type", "imports lose their type"),
            ("spec.sessionAffinity", "imports lose their session affinity"),
            ("spec.sessionAffinityConfig.clientIP.timeoutSeconds", "imports lose their affinity timeout"),
            ("spec.serviceAccountName", "imports lose their service account"),
            ("spec.ports[].name", "ports lose their names"),
            ("spec.ports[].port", "ports lose their numbers"),
            ("spec.ports[].protocol", "ports lose their protocol"),
            ("spec.ports[].appProtocol", "ports lose their app protocol"),
            ("spec.ports[].endpoints[].clusterKey", "endpoints lose their cluster"),
            ("spec.ports[].endpoints[].target.host", "endpoints lose their gateway"),
            ("spec.ports[].endpoints[].target.ip", "endpoints lose their gateway"),
            ("spec.ports[].endpoints[].target.port", "endpoints lose their gateway"),
            ("spec.ports[].endpoints[].target.path", "endpoints lose their path"),
            ("status.routing", "the data plane would see no routing"),
        ]),
        ("globaltrafficpolicies.flomesh.io", ConditionFields("the policy's Valid and ResolvedRefs conditions would be lost")),
        ("serviceexports.flomesh.io", ConditionFields("the export's Valid and Conflict conditions would be lost")),
    ];

    /// <summary>Reads the CRDs, upgrades them when <paramref name="upgrade"/> allows and needed, and says how it went.</summary>
    public static async Task<CrdReport> EnsureAsync(IKubernetes client, bool upgrade, CancellationToken cancellationToken)
    {
        var problems = new List<(string Reason, string Message)>();
        var upgraded = new List<string>();
        var fixedProblems = new List<string>();
        foreach (var (name, fields) in Required)
        {
            V1CustomResourceDefinition? current;
            try
            {
                current = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
                current = null;
            }

            var missing = current is null ? $"{name} is not installed" : Check(current, fields).FirstOrDefault();
            if (missing is null)
            {
                continue;
            }

            var reason = current is null ? ConditionReasons.MissingCrd : ConditionReasons.IncompatibleCrd;
            if (!upgrade)
            {
                problems.Add((reason, $"{missing} (upgrading member CRDs is disabled: ErieCanal:UpgradeMemberCrds=false)"));
                continue;
            }

            try
            {
                await InstallAsync(client, name, current, cancellationToken);
                upgraded.Add(name);
                fixedProblems.Add(missing);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                problems.Add((reason, $"{missing} (the upgrade was refused: {ApiErrors.Describe(ex).Message})"));
            }
        }

        if (problems.Count > 0)
        {
            return new CrdReport(false, problems[0].Reason, string.Join("; ", problems.Select(p => p.Message)), [.. upgraded]);
        }

        return upgraded.Count > 0
            ? new CrdReport(true, ConditionReasons.CrdsUpgraded, $"upgraded {string.Join(", ", upgraded)} to the system's CRDs: {string.Join("; ", fixedProblems)}", [.. upgraded])
            : new CrdReport(true, ConditionReasons.Compatible, $"{string.Join(", ", Required.Select(r => r.Crd))} can hold what the system writes", []);
    }

    /// <summary>
    /// The fields the CRD's served v1alpha1 schema cannot hold, each as a sentence naming CRD, version and field.
    /// A field is held when the schema names it as a property, or an ancestor preserves unknown fields.
    /// </summary>
    public static IEnumerable<string> Check(V1CustomResourceDefinition crd, IEnumerable<(string Field, string Why)> fields)
    {
        var name = crd.Metadata.Name;
        var version = crd.Spec?.Versions?.FirstOrDefault(v => v.Name == Version && v.Served);
        if (version is null)
        {
            yield return $"{name} does not serve {Version}";
            yield break;
        }

        if (version.Subresources?.Status is null)
        {
            yield return $"{name} {Version}: has no status subresource, so status cannot be written";
        }

        var schema = version.Schema?.OpenAPIV3Schema is { } s ? JsonNode.Parse(KubernetesJson.Serialize(s)) as JsonObject : null;
        var reported = new List<string>();
        foreach (var (field, why) in fields)
        {
            // A missing parent is reported once, not again for each of its children.
            if (reported.Any(r => field.StartsWith(r + ".", StringComparison.Ordinal) || field.StartsWith(r + "[]", StringComparison.Ordinal)))
            {
                continue;
            }

            if (Unheld(schema, field) is { } missing)
            {
                reported.Add(missing);
                yield return $"{name} {Version}: {missing} is not in the schema; a real API server prunes it, so {why}";
            }
        }
    }

    /// <summary>The shortest prefix of <paramref name="field"/> the schema would prune, or null when it is held.</summary>
    private static string? Unheld(JsonObject? schema, string field)
    {
        var node = schema;
        var path = "";
        foreach (var step in field.Split('.'))
        {
            var array = step.EndsWith("[]", StringComparison.Ordinal);
            var property = array ? step[..^2] : step;
            path = path.Length == 0 ? property : $"{path}.{property}";
            if (node is null)
            {
                return path;
            }

            if (Preserves(node))
            {
                return null;
            }

            node = node["properties"]?[property] as JsonObject ?? (node["additionalProperties"] as JsonObject);
            if (node is null)
            {
                return path;
            }

            if (array)
            {
                if (Preserves(node))
                {
                    return null;
                }

                path += "[]";
                node = node["items"] as JsonObject;
            }
        }

        return null;
    }

    private static bool Preserves(JsonObject node) => node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;

    private static ImmutableArray<(string, string)> ConditionFields(string why) =>
    [
        ("status.conditions", why),
        ("status.conditions[].type", why),
        ("status.conditions[].status", why),
        ("status.conditions[].reason", why),
        ("status.conditions[].message", why),
        ("status.conditions[].lastTransitionTime", why),
        ("status.observedGeneration", why),
    ];

    private static async Task InstallAsync(IKubernetes client, string name, V1CustomResourceDefinition? current, CancellationToken cancellationToken)
    {
        var ours = CrdManifests.Get(name);
        if (current is null)
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(ours, cancellationToken: cancellationToken);
            return;
        }

        // Replace keeps the objects: same group, names and stored version, a schema that holds more.
        current.Spec = ours.Spec;
        await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(current, name, cancellationToken: cancellationToken);
    }
}
