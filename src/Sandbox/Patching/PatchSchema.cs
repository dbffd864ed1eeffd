namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// Per-kind list merge rules, keyed by field path from the object root where "[]" marks a
/// list element (e.g. "spec.containers[].env"). Shared by strategic merge patch and
/// server-side apply so both agree on list identity. Extend <see cref="Kinds"/> for new types.
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
        ["v1/Service"] = Build([("spec.ports", new ListRule("port"))]),
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

    private readonly Dictionary<string, ListRule> lists;

    private PatchSchema(Dictionary<string, ListRule> lists) => this.lists = lists;

    public static PatchSchema For(string? apiVersion, string? kind) =>
        Kinds.GetValueOrDefault($"{apiVersion}/{kind}") ?? Default;

    public bool TryGetList(string path, out ListRule rule) => lists.TryGetValue(path, out rule!);

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
