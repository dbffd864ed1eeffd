using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// Per-kind list merge rules, keyed by field path from the object root where "[]" marks a
/// list element (e.g. "spec.containers[].env"). Shared by strategic merge patch and
/// server-side apply so both agree on list identity. Extend <see cref="Kinds"/> for new types; custom resources
/// take theirs from the CRD schema's x-kubernetes-list-type / x-kubernetes-list-map-keys (<see cref="ForStructural"/>).
/// </summary>
public sealed class PatchSchema
{
    private static readonly (string Path, ListRule Rule)[] ObjectMeta =
    [
        ("metadata.ownerReferences", new ListRule("uid")),
        ("metadata.finalizers", ListRule.Set),
    ];

    private static readonly (string Path, ListRule Rule)[] PodSpec = BuildPodSpec();

    private static readonly Dictionary<string, PatchSchema> Kinds = new(StringComparer.Ordinal)
    {
        ["v1/Pod"] = Build(Under("spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["apps/v1/Deployment"] = Build(Under("spec.template.spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["apps/v1/ReplicaSet"] = Build(Under("spec.template.spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["apps/v1/StatefulSet"] = Build(Under("spec.template.spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["apps/v1/DaemonSet"] = Build(Under("spec.template.spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["batch/v1/Job"] = Build(Under("spec.template.spec.", PodSpec), [("status.conditions", new ListRule("type"))]),
        ["batch/v1/CronJob"] = Build(Under("spec.jobTemplate.spec.template.spec.", PodSpec)),
        ["v1/PodTemplate"] = Build(Under("template.spec.", PodSpec)),
        ["v1/ServiceAccount"] = Build([("secrets", new ListRule("name")), ("imagePullSecrets", new ListRule("name"))]),
        ["v1/PersistentVolumeClaim"] = Build([("status.conditions", new ListRule("type"))]),
        ["policy/v1/PodDisruptionBudget"] = Build([("status.conditions", new ListRule("type"))]),
        // patchMergeKey port, but list-map-keys [port, protocol] with protocol defaulting to TCP: tcp/42 and udp/42 are two ports.
        ["v1/Service"] = Build([("spec.ports", new ListRule([new ListKey("port")], [new ListKey("port"), new ListKey("protocol", JsonValue.Create("TCP"))]))]),
        ["v1/Namespace"] = Build(),
        ["v1/Endpoints"] = Build(),
        ["v1/ConfigMap"] = Build(),
        ["v1/Secret"] = Build(),
        ["v1/Event"] = Build(),
        ["discovery.k8s.io/v1/EndpointSlice"] = Build(),
        ["coordination.k8s.io/v1/Lease"] = Build(),
    };

    // Unknown kinds (CRDs) still carry standard ObjectMeta; everything else is atomic.
    private static readonly PatchSchema Default = Build();

    private static readonly ConditionalWeakTable<JsonObject, PatchSchema> Structural = new();

    private readonly Dictionary<string, ListRule> lists;

    private PatchSchema? forApply;

    private PatchSchema(Dictionary<string, ListRule> lists) => this.lists = lists;

    public static PatchSchema For(string? apiVersion, string? kind) =>
        Kinds.GetValueOrDefault($"{apiVersion}/{kind}") ?? Default;

    /// <summary>The list rules a CRD's openAPIV3Schema declares (map → keyed, set → set, atomic or none → replaced).</summary>
    public static PatchSchema ForStructural(JsonObject openApiV3Schema) =>
        Structural.GetValue(openApiV3Schema, schema =>
        {
            var lists = new List<(string Path, ListRule Rule)>();
            CollectLists(schema, "", lists);
            return Build([.. lists]);
        });

    public bool TryGetList(string path, out ListRule rule) => lists.TryGetValue(path, out rule!);

    /// <summary>The same lists keyed as server-side apply keys them.</summary>
    public PatchSchema ForApply() =>
        forApply ??= lists.Values.All(r => ReferenceEquals(r.ForApply(), r))
            ? this
            : new PatchSchema(lists.ToDictionary(p => p.Key, p => p.Value.ForApply(), StringComparer.Ordinal));

    private static void CollectLists(JsonObject schema, string path, List<(string Path, ListRule Rule)> lists)
    {
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                // Root metadata is ObjectMeta whatever the schema says.
                if (child is JsonObject childSchema && !(path.Length == 0 && name == "metadata"))
                {
                    CollectLists(childSchema, path.Length == 0 ? name : $"{path}.{name}", lists);
                }
            }
        }

        if (schema["items"] is not JsonObject items)
        {
            return;
        }

        var listType = schema["x-kubernetes-list-type"] is JsonValue t && t.TryGetValue<string>(out var type) ? type : null;
        var keys = (schema["x-kubernetes-list-map-keys"] as JsonArray ?? [])
            .Select(k => k is JsonValue v && v.TryGetValue<string>(out var name) ? name : null).OfType<string>()
            .Select(k => new ListKey(k, items["properties"]?[k]?["default"]?.DeepClone()))
            .ToList();
        if (listType == "map" && keys.Count > 0)
        {
            lists.Add((path, new ListRule(keys)));
        }
        else if (listType == "set")
        {
            lists.Add((path, ListRule.Set));
        }

        CollectLists(items, path + "[]", lists);
    }

    private static PatchSchema Build(params (string Path, ListRule Rule)[][] groups)
    {
        var lists = new Dictionary<string, ListRule>(StringComparer.Ordinal);
        foreach (var (path, rule) in groups.Prepend(ObjectMeta).SelectMany(g => g))
        {
            lists[path] = rule;
        }

        return new PatchSchema(lists);
    }

    private static (string Path, ListRule Rule)[] Under(string prefix, (string Path, ListRule Rule)[] entries) =>
        [.. entries.Select(e => (prefix + e.Path, e.Rule))];

    private static (string Path, ListRule Rule)[] BuildPodSpec()
    {
        var name = new ListRule("name");
        var entries = new List<(string Path, ListRule Rule)>
        {
            ("volumes", name),
            ("imagePullSecrets", name),
            ("hostAliases", new ListRule("ip")),
        };
        foreach (var containers in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            entries.Add((containers, name));
            entries.Add(($"{containers}[].ports", new ListRule("containerPort")));
            entries.Add(($"{containers}[].env", name));
            entries.Add(($"{containers}[].volumeMounts", new ListRule("mountPath")));
            entries.Add(($"{containers}[].volumeDevices", new ListRule("devicePath")));
        }

        return [.. entries];
    }
}
