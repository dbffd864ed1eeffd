using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Auth;

/// <summary>
/// RBAC on the HTTPS port as kube-apiserver's authorizer decides and words it: each binding shape and subject kind,
/// resourceNames, subresources, non-resource URLs with a trailing *, aggregated roles, and kubectl auth can-i.
/// </summary>
public sealed class RbacAuthorizationTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private async Task<JsonNode> StatusAsync(string token, string path)
    {
        using var http = fixture.SecureHttp(token);
        using var response = await http.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["httpCode"] = (int)response.StatusCode;
        return body;
    }

    private async Task ApplyAsync(string yaml) => (await fixture.Admin.RunWithInputAsync(yaml, "apply", "-f", "-")).AssertSuccess();

    [Fact]
    public async Task Forbidden_requests_get_kube_apiservers_status_for_each_kind_of_request()
    {
        var token = await fixture.ServiceAccountTokenAsync("denied", "bot");
        const string who = "User \"system:serviceaccount:denied:bot\"";

        var list = await StatusAsync(token, "/api/v1/namespaces/denied/pods");
        Assert.Equal(403, list["httpCode"]!.GetValue<int>());
        Assert.Equal("Failure", list["status"]!.GetValue<string>());
        Assert.Equal("Forbidden", list["reason"]!.GetValue<string>());
        Assert.Equal(403, list["code"]!.GetValue<int>());
        Assert.Equal($"pods is forbidden: {who} cannot list resource \"pods\" in API group \"\" in the namespace \"denied\"", list["message"]!.GetValue<string>());
        Assert.Equal("pods", list["details"]!["kind"]!.GetValue<string>());

        var named = await StatusAsync(token, "/apis/apps/v1/namespaces/denied/deployments/web");
        Assert.Equal($"deployments.apps \"web\" is forbidden: {who} cannot get resource \"deployments\" in API group \"apps\" in the namespace \"denied\"", named["message"]!.GetValue<string>());
        Assert.Equal("web", named["details"]!["name"]!.GetValue<string>());
        Assert.Equal("apps", named["details"]!["group"]!.GetValue<string>());
        Assert.Equal("deployments", named["details"]!["kind"]!.GetValue<string>());

        var subresource = await StatusAsync(token, "/api/v1/namespaces/denied/pods/web-0/log");
        Assert.Equal($"pods \"web-0\" is forbidden: {who} cannot get resource \"pods/log\" in API group \"\" in the namespace \"denied\"", subresource["message"]!.GetValue<string>());

        var cluster = await StatusAsync(token, "/apis/rbac.authorization.k8s.io/v1/clusterroles");
        Assert.Equal($"clusterroles.rbac.authorization.k8s.io is forbidden: {who} cannot list resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope", cluster["message"]!.GetValue<string>());

        var path = await StatusAsync(token, "/metrics");
        Assert.Equal($"forbidden: {who} cannot get path \"/metrics\"", path["message"]!.GetValue<string>());

        var watch = await StatusAsync(token, "/api/v1/namespaces/denied/configmaps?watch=true");
        Assert.Equal($"configmaps is forbidden: {who} cannot watch resource \"configmaps\" in API group \"\" in the namespace \"denied\"", watch["message"]!.GetValue<string>());

        var kubectl = await fixture.KubectlAsync(token, "denied");
        var create = await kubectl.RunAsync("create", "configmap", "x", "--from-literal=a=b");
        Assert.Contains($"configmaps is forbidden: {who} cannot create resource \"configmaps\" in API group \"\" in the namespace \"denied\"", create.AssertFailure().Stderr);
        var delete = await kubectl.RunAsync("delete", "configmaps", "--all");
        Assert.Contains($"cannot list resource \"configmaps\"", delete.AssertFailure().Stderr);
    }

    [Fact]
    public async Task Each_binding_shape_grants_where_it_should_and_nowhere_else()
    {
        var token = await fixture.ServiceAccountTokenAsync("shapes-a", "bot");
        (await fixture.Admin.RunAsync("create", "namespace", "shapes-b")).AssertSuccess();
        var kubectl = await fixture.KubectlAsync(token, "shapes-a");

        // RoleBinding -> Role: configmaps in shapes-a only.
        (await fixture.Admin.RunAsync("create", "role", "cm", "--verb=get,list", "--resource=configmaps", "-n", "shapes-a")).AssertSuccess();
        (await fixture.Admin.RunAsync("create", "rolebinding", "cm", "--role=cm", "--serviceaccount=shapes-a:bot", "-n", "shapes-a")).AssertSuccess();
        (await kubectl.RunAsync("get", "configmaps", "-n", "shapes-a")).AssertSuccess();
        (await kubectl.RunAsync("get", "configmaps", "-n", "shapes-b")).AssertFailure();

        // RoleBinding -> ClusterRole: the ClusterRole's rules, in the binding's namespace only.
        (await fixture.Admin.RunAsync("create", "clusterrole", "svc-reader", "--verb=list", "--resource=services")).AssertSuccess();
        (await fixture.Admin.RunAsync("create", "rolebinding", "svc", "--clusterrole=svc-reader", "--group=system:serviceaccounts:shapes-a", "-n", "shapes-b")).AssertSuccess();
        (await kubectl.RunAsync("get", "services", "-n", "shapes-b")).AssertSuccess();
        (await kubectl.RunAsync("get", "services", "-n", "shapes-a")).AssertFailure();

        // ClusterRoleBinding -> ClusterRole: every namespace and the cluster scope.
        (await fixture.Admin.RunAsync("create", "clusterrole", "ns-lister", "--verb=list", "--resource=namespaces,secrets")).AssertSuccess();
        (await fixture.Admin.RunAsync("create", "clusterrolebinding", "ns-lister", "--clusterrole=ns-lister", "--serviceaccount=shapes-a:bot")).AssertSuccess();
        (await kubectl.RunAsync("get", "namespaces")).AssertSuccess();
        (await kubectl.RunAsync("get", "secrets", "-A")).AssertSuccess();
        (await kubectl.RunAsync("get", "secrets", "-n", "shapes-b")).AssertSuccess();

        // User and Group subjects, through SubjectAccessReview (who is asked about needs no token).
        (await fixture.Admin.RunAsync("create", "rolebinding", "people", "--clusterrole=svc-reader", "--user=alice", "--group=devs", "-n", "shapes-b")).AssertSuccess();
        using var admin = fixture.SecureClient(fixture.Cluster.Token);
        async Task<V1SubjectAccessReviewStatus> Ask(string user, params string[] groups) =>
            (await admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user,
                    Groups = groups,
                    ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "services", NamespaceProperty = "shapes-b" },
                },
            })).Status;
        var alice = await Ask("alice");
        Assert.True(alice.Allowed);
        Assert.Equal("RBAC: allowed by RoleBinding \"people/shapes-b\" of ClusterRole \"svc-reader\" to User \"alice\"", alice.Reason);
        Assert.True((await Ask("bob", "devs")).Allowed);
        Assert.False((await Ask("bob", "ops")).Allowed);

        var local = await admin.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(new V1LocalSubjectAccessReview
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = "shapes-b" },
            Spec = new V1SubjectAccessReviewSpec { User = "alice", ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "services", NamespaceProperty = "shapes-b" } },
        }, "shapes-b");
        Assert.True(local.Status.Allowed);
    }

    [Fact]
    public async Task Resource_names_subresources_wildcards_and_non_resource_urls_match_as_rbac_matches_them()
    {
        var token = await fixture.ServiceAccountTokenAsync("matching", "bot");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: matching, namespace: matching}
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              resourceNames: [allowed]
              verbs: [get, patch]
            - apiGroups: [""]
              resources: [pods/status]
              verbs: [get]
            - apiGroups: ["*"]
              resources: [leases]
              verbs: ["*"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: matching, namespace: matching}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: matching}
            subjects: [{kind: ServiceAccount, name: bot, namespace: matching}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: logs-reader}
            rules:
            - nonResourceURLs: ["/logs/*", "/metrics"]
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: logs-reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: logs-reader}
            subjects: [{kind: ServiceAccount, name: bot, namespace: matching}]
            """);
        (await fixture.Admin.RunAsync("create", "configmap", "allowed", "-n", "matching")).AssertSuccess();
        (await fixture.Admin.RunAsync("create", "configmap", "other", "-n", "matching")).AssertSuccess();
        (await fixture.Admin.RunAsync("run", "p", "--image=busybox", "-n", "matching")).AssertSuccess();

        Assert.Equal(200, (await StatusAsync(token, "/api/v1/namespaces/matching/configmaps/allowed"))["httpCode"]!.GetValue<int>());
        Assert.Equal(403, (await StatusAsync(token, "/api/v1/namespaces/matching/configmaps/other"))["httpCode"]!.GetValue<int>());
        Assert.Equal(403, (await StatusAsync(token, "/api/v1/namespaces/matching/configmaps"))["httpCode"]!.GetValue<int>());
        Assert.Equal(200, (await StatusAsync(token, "/api/v1/namespaces/matching/pods/p/status"))["httpCode"]!.GetValue<int>());
        Assert.Equal(403, (await StatusAsync(token, "/api/v1/namespaces/matching/pods/p"))["httpCode"]!.GetValue<int>());
        Assert.Equal(200, (await StatusAsync(token, "/apis/coordination.k8s.io/v1/namespaces/matching/leases"))["httpCode"]!.GetValue<int>());
        Assert.NotEqual(403, (await StatusAsync(token, "/logs/kube-apiserver.log"))["httpCode"]!.GetValue<int>());
        Assert.NotEqual(403, (await StatusAsync(token, "/metrics"))["httpCode"]!.GetValue<int>());
        Assert.Equal(403, (await StatusAsync(token, "/logsx"))["httpCode"]!.GetValue<int>());
        Assert.Equal(403, (await StatusAsync(token, "/metrics/extra"))["httpCode"]!.GetValue<int>());

        var kubectl = await fixture.KubectlAsync(token, "matching");
        (await kubectl.RunAsync("label", "configmap", "allowed", "touched=yes")).AssertSuccess();
        var other = await kubectl.RunAsync("label", "configmap", "other", "touched=yes");
        Assert.Contains("configmaps \"other\" is forbidden: User \"system:serviceaccount:matching:bot\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"matching\"", other.AssertFailure().Stderr);
    }

    [Fact]
    public async Task Kubectl_auth_can_i_answers_yes_and_no_and_lists_the_rules()
    {
        var token = await fixture.ServiceAccountTokenAsync("can-i", "bot");
        (await fixture.Admin.RunAsync("create", "rolebinding", "viewer", "--clusterrole=view", "--serviceaccount=can-i:bot", "-n", "can-i")).AssertSuccess();
        var kubectl = await fixture.KubectlAsync(token, "can-i");

        var yes = await kubectl.RunAsync("auth", "can-i", "list", "pods");
        Assert.Equal((0, "yes"), (yes.ExitCode, yes.Stdout.Trim()));
        var logs = await kubectl.RunAsync("auth", "can-i", "get", "pods", "--subresource=log");
        Assert.Equal((0, "yes"), (logs.ExitCode, logs.Stdout.Trim()));
        var no = await kubectl.RunAsync("auth", "can-i", "create", "pods");
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        var elsewhere = await kubectl.RunAsync("auth", "can-i", "list", "pods", "-n", "default");
        Assert.Equal((1, "no"), (elsewhere.ExitCode, elsewhere.Stdout.Trim()));
        var statefulsets = await kubectl.RunAsync("auth", "can-i", "watch", "statefulsets.apps");
        Assert.Equal("yes", statefulsets.Stdout.Trim());
        var discovery = await kubectl.RunAsync("auth", "can-i", "get", "/apis");
        Assert.Equal("yes", discovery.Stdout.Trim());

        var list = (await kubectl.RunAsync("auth", "can-i", "--list")).AssertSuccess();
        Assert.Contains(list.Lines, l => l.StartsWith("pods ", StringComparison.Ordinal) && l.Contains("[get list watch]", StringComparison.Ordinal));
        Assert.Contains(list.Lines, l => l.StartsWith("selfsubjectaccessreviews.authorization.k8s.io", StringComparison.Ordinal));
        Assert.Contains(list.Lines, l => l.Contains("[/apis]", StringComparison.Ordinal));

        // What the bound ClusterRole allows changes with it: view is aggregated, so a new aggregated rule applies at once.
        Assert.Equal("no", (await kubectl.RunAsync("auth", "can-i", "list", "leases.coordination.k8s.io")).Stdout.Trim());
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: leases-view
              labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
            rules:
            - apiGroups: [coordination.k8s.io]
              resources: [leases]
              verbs: [get, list]
            """);
        await kubectl.WaitForAsync(r => r.Stdout.Trim() == "yes", "auth", "can-i", "list", "leases.coordination.k8s.io");
    }

    [Fact]
    public async Task The_chart_service_account_may_do_what_the_chart_grants_and_no_more()
    {
        (await fixture.Admin.RunAsync("create", "namespace", "chart")).AssertSuccess();
        var helm = new Kinds.HelmRunner(fixture.Admin.Kubeconfig, Path.GetDirectoryName(fixture.Admin.Kubeconfig)!);
        var (code, output) = await helm.RunAsync("install", "ec", Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans"), "--namespace", "chart");
        Assert.True(code == 0, output);
        var token = (await fixture.Admin.RunAsync("create", "token", "ec", "-n", "chart")).AssertSuccess().Stdout.Trim();
        var kubectl = await fixture.KubectlAsync(token, "chart");

        Assert.Equal("yes", (await kubectl.RunAsync("auth", "can-i", "patch", "pods")).Stdout.Trim());
        Assert.Equal("yes", (await kubectl.RunAsync("auth", "can-i", "get", "namespaces/kube-system")).Stdout.Trim());
        Assert.Equal("no", (await kubectl.RunAsync("auth", "can-i", "list", "secrets")).Stdout.Trim());
        (await kubectl.RunAsync("get", "pods")).AssertSuccess();
        var denied = await kubectl.RunAsync("get", "configmaps");
        Assert.Contains("configmaps is forbidden: User \"system:serviceaccount:chart:ec\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"chart\"", denied.AssertFailure().Stderr);

        // One rule taken out of the ClusterRole: the verb it granted is refused, and the refusal names it.
        (await fixture.Admin.RunAsync("patch", "clusterrole", "ec", "--type=json", "-p", """[{"op":"remove","path":"/rules/4"}]""")).AssertSuccess();
        var gone = await kubectl.RunAsync("get", "namespace", "kube-system");
        Assert.Contains("namespaces \"kube-system\" is forbidden: User \"system:serviceaccount:chart:ec\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"kube-system\"", gone.AssertFailure().Stderr);
    }
}
