using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Defaulting and validation of the StatefulSet, PersistentVolumeClaim and RBAC kinds, as their registry strategies
/// in kube-apiserver do it (pkg/apis/apps/v1/defaults.go, pkg/apis/rbac/validation).
/// </summary>
public static class KindAdmission
{
    private static readonly HashSet<string> MutableStatefulSetSpec =
        ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    public static void Admit(ResourceType type, JsonObject obj, JsonObject? current)
    {
        if (type.IsCustom)
        {
            return;
        }

        switch (type.Group, type.Kind)
        {
            case ("apps", "StatefulSet"):
                DefaultStatefulSet(obj);
                ValidateStatefulSet(obj, current);
                break;
            case ("", "PersistentVolumeClaim"):
                JsonTree.EnsureObject(obj, "spec")["volumeMode"] ??= "Filesystem";
                if (current is null)
                {
                    JsonTree.EnsureObject(obj, "status")["phase"] ??= "Pending";
                }

                break;
            case ("", "Pod") when current is null:
                // The ServiceAccount admission plugin: a pod runs as its namespace's default account unless it names one.
                var podSpec = JsonTree.EnsureObject(obj, "spec");
                podSpec["serviceAccountName"] ??= "default";
                podSpec["serviceAccount"] ??= podSpec["serviceAccountName"]!.DeepClone();
                break;
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                CrdAdmission.Admit(obj, current);
                break;
            case ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding"):
                ValidateBinding(type, obj, current);
                break;
        }
    }

    private static void DefaultStatefulSet(JsonObject obj)
    {
        var spec = JsonTree.EnsureObject(obj, "spec");
        spec["replicas"] ??= 1;
        spec["podManagementPolicy"] ??= "OrderedReady";
        spec["revisionHistoryLimit"] ??= 10;
        var strategy = JsonTree.EnsureObject(spec, "updateStrategy");
        strategy["type"] ??= "RollingUpdate";
        if (strategy["type"]?.GetValue<string>() == "RollingUpdate")
        {
            JsonTree.EnsureObject(strategy, "rollingUpdate")["partition"] ??= 0;
        }

        var retention = JsonTree.EnsureObject(spec, "persistentVolumeClaimRetentionPolicy");
        retention["whenDeleted"] ??= "Retain";
        retention["whenScaled"] ??= "Retain";
        if (spec["template"] is JsonObject template && !JsonTree.EnsureObject(template, "metadata").ContainsKey("creationTimestamp"))
        {
            // As for a Deployment: the template's zero metav1.Time serializes as null.
            template["metadata"]!["creationTimestamp"] = null;
        }

        foreach (var claim in (spec["volumeClaimTemplates"] as JsonArray ?? []).OfType<JsonObject>())
        {
            claim["apiVersion"] ??= "v1";
            claim["kind"] ??= "PersistentVolumeClaim";
            JsonTree.EnsureObject(claim, "spec")["volumeMode"] ??= "Filesystem";
            JsonTree.EnsureObject(claim, "status")["phase"] ??= "Pending";
        }

        foreach (var port in (spec["template"]?["spec"]?["containers"] as JsonArray ?? []).SelectMany(c => c?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
        }
    }

    private static void ValidateStatefulSet(JsonObject obj, JsonObject? current)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        var causes = new List<(string, string)>();
        var spec = obj["spec"] as JsonObject ?? [];
        var selector = spec["selector"]?["matchLabels"] as JsonObject;
        var templateLabels = spec["template"]?["metadata"]?["labels"] as JsonObject;
        if (spec["selector"] is null)
        {
            causes.Add(("spec.selector", "Required value"));
        }
        else if (selector is not null && (templateLabels is null || selector.Any(kv => templateLabels[kv.Key]?.GetValue<string>() != kv.Value?.GetValue<string>())))
        {
            causes.Add(("spec.template.metadata.labels", "Invalid value: `selector` does not match template `labels`"));
        }

        if (spec["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 })
        {
            causes.Add(("spec.template.spec.containers", "Required value"));
        }

        if (JsonTree.GetInt64(obj, "spec", "replicas") is < 0)
        {
            causes.Add(("spec.replicas", "Invalid value: must be greater than or equal to 0"));
        }

        if (spec["podManagementPolicy"]?.GetValue<string>() is not ("OrderedReady" or "Parallel") and var policy)
        {
            causes.Add(("spec.podManagementPolicy", $"Unsupported value: \"{policy}\": supported values: \"OrderedReady\", \"Parallel\""));
        }

        if (spec["updateStrategy"]?["type"]?.GetValue<string>() is not ("RollingUpdate" or "OnDelete") and var strategy)
        {
            causes.Add(("spec.updateStrategy", $"Unsupported value: \"{strategy}\": supported values: \"OnDelete\", \"RollingUpdate\""));
        }

        if (current?["spec"] is JsonObject before)
        {
            var keys = before.Select(p => p.Key).Union(spec.Select(p => p.Key)).Where(k => !MutableStatefulSetSpec.Contains(k));
            if (keys.Any(k => !JsonNode.DeepEquals(before[k], spec[k])))
            {
                causes.Add(("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
            }
        }

        ThrowIfAny("StatefulSet", "apps", name, causes);
    }

    private static void ValidateBinding(ResourceType type, JsonObject obj, JsonObject? current)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        var causes = new List<(string, string)>();
        var roleRef = obj["roleRef"] as JsonObject;
        var kind = roleRef?["kind"]?.GetValue<string>() ?? "";
        if (roleRef is null || string.IsNullOrEmpty(roleRef["name"]?.GetValue<string>()))
        {
            causes.Add(("roleRef.name", "Required value"));
        }
        else if (type.Kind == "ClusterRoleBinding" ? kind != "ClusterRole" : kind is not ("Role" or "ClusterRole"))
        {
            var supported = type.Kind == "ClusterRoleBinding" ? "\"ClusterRole\"" : "\"ClusterRole\", \"Role\"";
            causes.Add(("roleRef.kind", $"Unsupported value: \"{kind}\": supported values: {supported}"));
        }

        if (current is not null && !JsonNode.DeepEquals(current["roleRef"], obj["roleRef"]))
        {
            causes.Add(("roleRef", $"Invalid value: rbac.RoleRef{{APIGroup:\"{roleRef?["apiGroup"]}\", Kind:\"{kind}\", Name:\"{roleRef?["name"]}\"}}: cannot change roleRef"));
        }

        foreach (var (subject, i) in (obj["subjects"] as JsonArray ?? []).Select((s, i) => (s, i)))
        {
            var subjectKind = subject?["kind"]?.GetValue<string>();
            if (subjectKind is not ("User" or "Group" or "ServiceAccount"))
            {
                causes.Add(($"subjects[{i}].kind", $"Unsupported value: \"{subjectKind}\": supported values: \"Group\", \"ServiceAccount\", \"User\""));
            }
            else if (subjectKind == "ServiceAccount" && string.IsNullOrEmpty(subject?["namespace"]?.GetValue<string>()) && type.Kind == "ClusterRoleBinding")
            {
                causes.Add(($"subjects[{i}].namespace", "Required value"));
            }
        }

        ThrowIfAny(type.Kind, type.Group, name, causes);
    }

    /// <summary>A 422 worded as kube-apiserver words it: the kind qualified by its group.</summary>
    private static void ThrowIfAny(string kind, string group, string name, List<(string Field, string Message)> causes)
    {
        if (causes.Count == 0)
        {
            return;
        }

        var invalid = ApiException.Invalid(kind, group, name, causes);
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        var text = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        throw new ApiException(422, "Invalid", $"{qualified} \"{name}\" is invalid: {text}", invalid.Details);
    }
}
