using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Simulation;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// The ClusterRoles and ClusterRoleBindings kube-apiserver creates at start (plugin/pkg/auth/authorizer/rbac/bootstrappolicy),
/// the part a sandbox needs: cluster-admin for system:masters, discovery, basic-user and public-info-viewer for
/// everyone who may see them, and admin/edit/view aggregated from their system:aggregate-to-* roles.
/// </summary>
public static class BootstrapPolicy
{
    private const string ClusterRoles = "clusterroles.rbac.authorization.k8s.io";
    private const string ClusterRoleBindings = "clusterrolebindings.rbac.authorization.k8s.io";
    private const string Aggregate = "rbac.authorization.k8s.io/aggregate-to-";
    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    public static void Seed(ObjectStore store)
    {
        Role(store, "cluster-admin", null, null, Rule(["*"], ["*"], ["*"]), NonResource(["*"], ["*"]));
        Role(store, "system:discovery", null, null,
            NonResource(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]));
        Role(store, "system:public-info-viewer", null, null, NonResource(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]));
        Role(store, "system:basic-user", null, null,
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]));

        foreach (var (name, selects, labelledFor) in new[] { ("admin", "admin", new string[0]), ("edit", "edit", ["admin"]), ("view", "view", ["admin", "edit"]) })
        {
            Role(store, name, selects, labelledFor);
        }

        Role(store, "system:aggregate-to-view", null, ["admin", "edit", "view"],
            Rule(Read, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "pods/log", "pods/status",
                "replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status", "serviceaccounts", "services", "services/status",
                "bindings", "events", "limitranges", "namespaces/status", "pods/log", "resourcequotas", "resourcequotas/status"]),
            Rule(Read, [""], ["namespaces"]),
            Rule(Read, ["discovery.k8s.io"], ["endpointslices"]),
            Rule(Read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
            Rule(Read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
            Rule(Read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]));
        Role(store, "system:aggregate-to-edit", null, ["admin", "edit"],
            Rule(["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"], [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
            Rule(["impersonate"], [""], ["serviceaccounts"]),
            Rule([.. Write], [""], ["pods", "configmaps", "endpoints", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
            Rule(["create"], [""], ["serviceaccounts/token"]),
            Rule([.. Write], ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
            Rule([.. Write], ["discovery.k8s.io"], ["endpointslices"]),
            Rule([.. Write], ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
            Rule([.. Write], ["policy"], ["poddisruptionbudgets"]),
            Rule(Read, [""], ["secrets"]));
        Role(store, "system:aggregate-to-admin", null, ["admin"],
            Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
            Rule([.. Write, .. Read], ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]));

        Binding(store, "cluster-admin", "cluster-admin", UserInfo.Masters);
        Binding(store, "system:discovery", "system:discovery", UserInfo.Authenticated);
        Binding(store, "system:basic-user", "system:basic-user", UserInfo.Authenticated);
        Binding(store, "system:public-info-viewer", "system:public-info-viewer", UserInfo.Authenticated, UserInfo.Unauthenticated);
        ClusterRoleAggregationController.Aggregate(store);
    }

    private static JsonObject Rule(string[] verbs, string[] groups, string[] resources) => new()
    {
        ["verbs"] = Array(verbs),
        ["apiGroups"] = Array(groups),
        ["resources"] = Array(resources.Distinct().ToArray()),
    };

    private static JsonObject NonResource(string[] verbs, string[] urls) => new() { ["verbs"] = Array(verbs), ["nonResourceURLs"] = Array(urls) };

    // aggregates: for admin/edit/view, the aggregate-to label their aggregationRule selects;
    // aggregatedInto: the aggregate-to labels the role carries (the aggregated roles that take its rules).
    private static void Role(ObjectStore store, string name, string? aggregates, string[]? aggregatedInto, params JsonObject[] rules)
    {
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        foreach (var target in aggregatedInto ?? [])
        {
            labels[Aggregate + target] = "true";
        }

        var role = new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRole",
            ["metadata"] = Metadata(name, labels),
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
        };
        if (aggregates is not null)
        {
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [Aggregate + aggregates] = "true" } }),
            };
        }

        StoreOps.TryCreate(store, ClusterRoles, "", role);
    }

    private static void Binding(ObjectStore store, string name, string role, params string[] groups) => StoreOps.TryCreate(store, ClusterRoleBindings, "", new JsonObject
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(name, new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" }),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = g }).ToArray()),
    });

    private static JsonObject Metadata(string name, JsonObject labels) => new()
    {
        ["name"] = name,
        ["labels"] = labels,
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonArray Array(string[] values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
