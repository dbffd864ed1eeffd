using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// kube-apiserver's RBAC authorizer over the cluster's store: a request is allowed when a ClusterRoleBinding, or a
/// RoleBinding in the request's namespace, names the user (User, Group or ServiceAccount) and its Role or ClusterRole
/// has a rule that covers it (verbs, API groups, resources with subresources, resource names, non-resource URLs, "*").
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    private const string Group = "rbac.authorization.k8s.io";

    /// <summary>Whether the user may; the reason names the binding that allowed it, as RBAC's does.</summary>
    public (bool Allowed, string Reason) Authorize(UserInfo user, RequestAttributes request)
    {
        foreach (var (source, rules) in ApplicableRules(user, request.Namespace))
        {
            if (rules.Any(rule => Allows(rule, request)))
            {
                return (true, $"RBAC: allowed by {source}");
            }
        }

        return (false, "");
    }

    /// <summary>Every rule that applies to the user in a namespace (and cluster-wide), for SelfSubjectRulesReview.</summary>
    public IEnumerable<JsonObject> RulesFor(UserInfo user, string ns) => ApplicableRules(user, ns).SelectMany(r => r.Rules);

    private IEnumerable<(string Source, IReadOnlyList<JsonObject> Rules)> ApplicableRules(UserInfo user, string ns)
    {
        foreach (var binding in store.List($"clusterrolebindings.{Group}", "").Items)
        {
            if (MatchingSubject(binding, user, "") is { } subject && binding["roleRef"]?["kind"]?.GetValue<string>() == "ClusterRole")
            {
                var roleName = binding["roleRef"]?["name"]?.GetValue<string>() ?? "";
                yield return ($"ClusterRoleBinding \"{Name(binding)}\" of ClusterRole \"{roleName}\" to {subject}", Rules(store.Get($"clusterroles.{Group}", "", roleName)));
            }
        }

        if (ns.Length == 0)
        {
            yield break;
        }

        foreach (var binding in store.List($"rolebindings.{Group}", ns).Items)
        {
            if (MatchingSubject(binding, user, ns) is { } subject)
            {
                var kind = binding["roleRef"]?["kind"]?.GetValue<string>();
                var roleName = binding["roleRef"]?["name"]?.GetValue<string>() ?? "";
                var role = kind == "ClusterRole" ? store.Get($"clusterroles.{Group}", "", roleName) : store.Get($"roles.{Group}", ns, roleName);
                yield return ($"RoleBinding \"{Name(binding)}/{ns}\" of {kind} \"{roleName}\" to {subject}", Rules(role));
            }
        }
    }

    /// <summary>The first subject of a binding that is the user, described as RBAC's reasons describe it; null if none.</summary>
    private static string? MatchingSubject(JsonObject binding, UserInfo user, string bindingNamespace)
    {
        foreach (var subject in (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = subject["name"]?.GetValue<string>() ?? "";
            switch (subject["kind"]?.GetValue<string>())
            {
                case "User" when user.Name == name:
                    return $"User \"{name}\"";
                case "Group" when user.Groups.Contains(name):
                    return $"Group \"{name}\"";
                case "ServiceAccount":
                    var saNamespace = subject["namespace"]?.GetValue<string>() is { Length: > 0 } given ? given : bindingNamespace;
                    if (user.Name == $"{UserInfo.ServiceAccountPrefix}{saNamespace}:{name}")
                    {
                        return $"ServiceAccount \"{name}/{saNamespace}\"";
                    }

                    break;
            }
        }

        return null;
    }

    private static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!Matches(rule["verbs"], request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return (rule["nonResourceURLs"] as JsonArray ?? []).Select(u => u?.GetValue<string>() ?? "").Any(url =>
                url == "*" || url == request.Path || (url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal)));
        }

        if (!Matches(rule["apiGroups"], request.ApiGroup))
        {
            return false;
        }

        var resources = (rule["resources"] as JsonArray ?? []).Select(r => r?.GetValue<string>() ?? "").ToList();
        var resourceMatches = resources.Any(r => r == "*" || r == request.CombinedResource
            || (request.Subresource.Length > 0 && r == $"*/{request.Subresource}"));
        var names = (rule["resourceNames"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).ToList();
        return resourceMatches && (names.Count == 0 || names.Contains(request.Name));
    }

    private static bool Matches(JsonNode? list, string value) =>
        (list as JsonArray ?? []).Any(v => v?.GetValue<string>() is "*" || v?.GetValue<string>() == value);

    private static IReadOnlyList<JsonObject> Rules(JsonObject? role) => (role?["rules"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";
}
