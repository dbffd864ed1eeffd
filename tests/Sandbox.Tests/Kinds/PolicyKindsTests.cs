using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>
/// The kinds beside the StatefulSet a chart installs: ServiceAccounts (a default one per namespace), RBAC objects
/// (roleRef immutable, ClusterRole aggregation), PodDisruptionBudgets with status, PersistentVolumeClaims bound at once.
/// </summary>
public sealed class PolicyKindsTests(KindsFixture fixture) : IClassFixture<KindsFixture>
{
    [Fact]
    public async Task Every_namespace_gets_a_default_service_account_back_even_after_it_is_deleted()
    {
        (await fixture.Kubectl.RunAsync("create", "namespace", "sa-default")).AssertSuccess();
        await fixture.Kubectl.WaitForAsync(r => r.Succeeded, "get", "serviceaccount", "default", "-n", "sa-default");
        (await fixture.Kubectl.RunAsync("get", "serviceaccount", "default", "-n", "kube-system")).AssertSuccess();

        (await fixture.Kubectl.RunAsync("delete", "serviceaccount", "default", "-n", "sa-default")).AssertSuccess();
        await fixture.Kubectl.WaitForAsync(r => r.Succeeded, "get", "serviceaccount", "default", "-n", "sa-default");

        (await fixture.Kubectl.RunAsync("run", "p", "--image=busybox", "-n", "sa-default")).AssertSuccess();
        var account = await fixture.Kubectl.RunAsync("get", "pod", "p", "-n", "sa-default", "-o", "jsonpath={.spec.serviceAccountName}");
        Assert.Equal("default", account.AssertSuccess().Stdout);
    }

    [Fact]
    public async Task Rbac_objects_round_trip_through_kubectl_create_and_a_binding_keeps_its_role_ref()
    {
        (await fixture.Kubectl.RunAsync("create", "namespace", "rbac-kinds")).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "role", "pod-reader", "--verb=get,list", "--resource=pods,pods/log", "-n", "rbac-kinds")).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "clusterrole", "ns-reader", "--verb=get", "--resource=namespaces", "--resource-name=default")).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "rolebinding", "read-pods", "--role=pod-reader", "--user=alice", "--group=devs", "--serviceaccount=rbac-kinds:bot", "-n", "rbac-kinds")).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "clusterrolebinding", "read-ns", "--clusterrole=ns-reader", "--user=alice")).AssertSuccess();

        using var client = fixture.Client();
        var role = await client.RbacAuthorizationV1.ReadNamespacedRoleAsync("pod-reader", "rbac-kinds");
        Assert.Equal(["pods", "pods/log"], role.Rules.Single().Resources);
        Assert.Equal(["default"], (await client.RbacAuthorizationV1.ReadClusterRoleAsync("ns-reader")).Rules.Single().ResourceNames);
        var binding = await client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("read-pods", "rbac-kinds");
        Assert.Equal(["User/alice", "Group/devs", "ServiceAccount/bot"], binding.Subjects.Select(s => $"{s.Kind}/{s.Name}"));

        var changed = await fixture.Kubectl.RunAsync("patch", "clusterrolebinding", "read-ns", "-p", """{"roleRef":{"name":"cluster-admin"}}""");
        changed.AssertFailure();
        Assert.Contains(
            "The ClusterRoleBinding \"read-ns\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"cluster-admin\"}: cannot change roleRef",
            changed.Stderr);
        var wrongKind = await fixture.Kubectl.RunWithInputAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: bad}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
            subjects: [{kind: User, name: alice}]
            """, "apply", "-f", "-");
        wrongKind.AssertFailure();
        Assert.Contains("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"", wrongKind.Stderr);
    }

    [Fact]
    public async Task A_cluster_role_with_an_aggregation_rule_carries_the_rules_of_the_roles_it_selects()
    {
        (await fixture.Kubectl.RunWithInputAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: monitoring}
            aggregationRule:
              clusterRoleSelectors:
              - matchLabels: {example.com/aggregate-to-monitoring: "true"}
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: monitoring-endpoints
              labels: {example.com/aggregate-to-monitoring: "true"}
            rules:
            - apiGroups: [""]
              resources: [services, endpoints, pods]
              verbs: [get, list, watch]
            """, "apply", "-f", "-")).AssertSuccess();
        using var client = fixture.Client();
        await Eventually.Until(() => client.RbacAuthorizationV1.ReadClusterRoleAsync("monitoring"),
            r => r.Rules?.Count == 1 && r.Rules[0].Resources.SequenceEqual(["services", "endpoints", "pods"]), "monitoring aggregates monitoring-endpoints");

        (await fixture.Kubectl.RunWithInputAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: monitoring-metrics
              labels: {example.com/aggregate-to-monitoring: "true"}
            rules:
            - nonResourceURLs: [/metrics]
              verbs: [get]
            """, "apply", "-f", "-")).AssertSuccess();
        await Eventually.Until(() => client.RbacAuthorizationV1.ReadClusterRoleAsync("monitoring"),
            r => r.Rules?.Count == 2 && r.Rules.Any(rule => rule.NonResourceURLs?.Contains("/metrics") == true), "monitoring aggregates monitoring-metrics");

        (await fixture.Kubectl.RunAsync("label", "clusterrole", "monitoring-endpoints", "example.com/aggregate-to-monitoring-")).AssertSuccess();
        await Eventually.Until(() => client.RbacAuthorizationV1.ReadClusterRoleAsync("monitoring"), r => r.Rules?.Count == 1, "monitoring drops the unlabelled role");

        var view = await client.RbacAuthorizationV1.ReadClusterRoleAsync("view");
        Assert.Contains(view.Rules, r => r.Resources?.Contains("pods") == true && r.Verbs.Contains("list"));
        var admin = await client.RbacAuthorizationV1.ReadClusterRoleAsync("admin");
        Assert.Contains(admin.Rules, r => r.Resources?.Contains("rolebindings") == true);
        Assert.Contains(admin.Rules, r => r.Resources?.Contains("pods") == true && r.Verbs.Contains("list"));
    }

    [Fact]
    public async Task A_pod_disruption_budget_reports_healthy_desired_and_allowed_disruptions()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "pdb");
        (await fixture.Kubectl.RunAsync("create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", ns)).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=2", "-n", ns)).AssertSuccess();
        var budget = await Eventually.Until(() => client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", ns),
            b => b.Status?.CurrentHealthy == 3, "the budget sees three healthy pods");
        Assert.Equal(3, budget.Status.ExpectedPods);
        Assert.Equal(2, budget.Status.DesiredHealthy);
        Assert.Equal(1, budget.Status.DisruptionsAllowed);
        Assert.Equal(budget.Metadata.Generation, budget.Status.ObservedGeneration);
        Assert.Contains(budget.Status.Conditions, c => c.Type == "DisruptionAllowed" && c.Status == "True" && c.Reason == "SufficientPods");

        (await fixture.Kubectl.RunAsync("patch", "pdb", "web", "-n", ns, "--type=merge", "-p", """{"spec":{"minAvailable":null,"maxUnavailable":"50%"}}""")).AssertSuccess();
        budget = await Eventually.Until(() => client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", ns),
            b => b.Status?.ObservedGeneration == b.Metadata.Generation && b.Status?.DesiredHealthy == 1, "maxUnavailable 50% of 3 rounds up to 2");
        Assert.Equal(2, budget.Status.DisruptionsAllowed);
    }

    [Fact]
    public async Task A_claim_is_bound_at_once_with_what_it_asked_for()
    {
        (await fixture.Kubectl.RunWithInputAsync("""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: default}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 5Gi}}
            """, "apply", "-f", "-")).AssertSuccess();
        var bound = await fixture.Kubectl.WaitForAsync(r => r.Stdout == "Bound", "get", "pvc", "data", "-o", "jsonpath={.status.phase}");
        bound.AssertSuccess();
        using var client = fixture.Client();
        var claim = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data", "default");
        Assert.Equal("5Gi", claim.Status.Capacity["storage"].ToString());
        Assert.Equal(["ReadWriteOnce"], claim.Status.AccessModes);
        Assert.Equal("Filesystem", claim.Spec.VolumeMode);
        Assert.Equal($"pvc-{claim.Metadata.Uid}", claim.Spec.VolumeName);
    }

    [Fact]
    public async Task Kubectl_prints_the_new_kinds_with_their_own_columns()
    {
        using var client = fixture.Client();
        var ns = await fixture.NamespaceAsync(client, "printing");
        (await fixture.Kubectl.RunWithInputAsync($$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: {{ns}}}
            spec:
              serviceName: db
              replicas: 2
              podManagementPolicy: Parallel
              selector:
                matchLabels: {app: db}
              template:
                metadata:
                  labels: {app: db}
                spec:
                  containers: [{name: db, image: postgres:16}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests: {storage: 2Gi}
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: db, namespace: {{ns}}}
            spec:
              maxUnavailable: 1
              selector:
                matchLabels: {app: db}
            """, "apply", "-f", "-")).AssertSuccess();
        (await fixture.Kubectl.RunAsync("create", "rolebinding", "db", "--clusterrole=view", "--user=alice", "--serviceaccount=" + ns + ":default", "-n", ns)).AssertSuccess();
        (await fixture.Kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ns, "--timeout=60s")).AssertSuccess();

        var sts = (await fixture.Kubectl.RunAsync("get", "statefulset", "db", "-n", ns)).AssertSuccess().Table;
        Assert.Equal(["NAME", "READY", "AGE"], sts.Headers);
        Assert.Equal("2/2", sts.Rows[0]["READY"]);
        var pdb = await fixture.Kubectl.WaitForAsync(r => r.Succeeded && r.Table.Rows.Count == 1 && r.Table.Rows[0]["ALLOWED DISRUPTIONS"] == "1", "get", "pdb", "-n", ns);
        Assert.Equal(["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], pdb.Table.Headers);
        Assert.Equal(("N/A", "1"), (pdb.Table.Rows[0]["MIN AVAILABLE"], pdb.Table.Rows[0]["MAX UNAVAILABLE"]));
        var pvc = await fixture.Kubectl.WaitForAsync(r => r.Succeeded && r.Table.Rows.Count == 2 && r.Table.Rows.All(row => row["STATUS"] == "Bound"), "get", "pvc", "-n", ns);
        Assert.Equal(["data-db-0", "data-db-1"], pvc.Table.Rows.Select(r => r["NAME"]));
        Assert.Equal(("2Gi", "RWO"), (pvc.Table.Rows[0]["CAPACITY"], pvc.Table.Rows[0]["ACCESS MODES"]));
        var binding = (await fixture.Kubectl.RunAsync("get", "rolebinding", "db", "-n", ns, "-o", "wide")).AssertSuccess().Table;
        Assert.Equal("ClusterRole/view", binding.Rows[0]["ROLE"]);
        Assert.Equal("alice", binding.Rows[0]["USERS"]);
        Assert.Equal($"{ns}/default", binding.Rows[0]["SERVICEACCOUNTS"]);
        var revisions = (await fixture.Kubectl.RunAsync("get", "controllerrevisions", "-n", ns)).AssertSuccess().Table;
        Assert.Equal("statefulset.apps/db", revisions.Rows[0]["CONTROLLER"]);
        Assert.Equal("1", revisions.Rows[0]["REVISION"]);
    }
}
