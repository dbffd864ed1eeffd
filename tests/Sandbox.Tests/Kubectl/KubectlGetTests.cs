using System.Text.RegularExpressions;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary><c>kubectl get</c> printer columns, output formats and selectors against the applied seed walkthrough.</summary>
public sealed class KubectlGetTests(SeededSandboxFixture fixture) : IClassFixture<SeededSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Deployments_print_ready_up_to_date_and_available()
    {
        var result = await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["READY"] == "2/2", "get", "deployments", "-n", "httpbin");
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], result.Table.Headers);
        var row = result.Table.Row("httpbin");
        Assert.Equal("2", row["UP-TO-DATE"]);
        Assert.Equal("2", row["AVAILABLE"]);
        Assert.Matches(@"^\d+s$", row["AGE"]);

        var all = (await _kubectl.RunAsync("get", "deploy", "-A")).AssertSuccess().Table;
        Assert.Equal(["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], all.Headers);
        Assert.Equal(["curl/curl/1/1", "httpbin/httpbin/2/2"], all.Rows.Select(r => $"{r["NAMESPACE"]}/{r["NAME"]}/{r["READY"]}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pods_print_ready_status_and_restarts_and_wide_adds_ip_and_node()
    {
        var pods = (await _kubectl.RunAsync("get", "pods", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], pods.Headers);
        Assert.Equal(2, pods.Rows.Count);
        Assert.All(pods.Rows, row =>
        {
            Assert.Matches("^httpbin-[a-z0-9]+-[a-z0-9]{5}$", row["NAME"]);
            Assert.Equal("1/1", row["READY"]);
            Assert.Equal("Running", row["STATUS"]);
            Assert.Equal("0", row["RESTARTS"]);
        });

        var wide = (await _kubectl.RunAsync("get", "pods", "-n", "httpbin", "-o", "wide")).AssertSuccess().Table;
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"], wide.Headers);
        foreach (var row in wide.Rows)
        {
            var podIp = (await _kubectl.RunAsync("get", "pod", row["NAME"], "-n", "httpbin", "-o", "jsonpath={.status.podIP}")).AssertSuccess().Stdout;
            Assert.Equal(podIp, row["IP"]);
            Assert.Equal("cluster-1-node", row["NODE"]);
            Assert.Equal("<none>", row["NOMINATED NODE"]);
        }

        var deployWide = (await _kubectl.RunAsync("get", "deploy", "httpbin", "-n", "httpbin", "-o", "wide")).AssertSuccess().Table;
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"], deployWide.Headers);
        Assert.Equal("pipy", deployWide.Row("httpbin")["CONTAINERS"]);
        Assert.Equal("flomesh/pipy:latest", deployWide.Row("httpbin")["IMAGES"]);
        Assert.Equal("app=pipy", deployWide.Row("httpbin")["SELECTOR"]);
    }

    [Fact]
    public async Task Single_objects_print_the_same_columns_as_lists()
    {
        var ns = (await _kubectl.RunAsync("get", "namespace", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "STATUS", "AGE"], ns.Headers);
        Assert.Equal("Active", ns.Row("httpbin")["STATUS"]);

        var gtp = (await _kubectl.RunAsync("get", "gtp", "httpbin", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "LB TYPE", "VALID", "AGE"], gtp.Headers);
        Assert.Equal("ActiveActive", gtp.Row("httpbin")["LB TYPE"]);
    }

    [Fact]
    public async Task Services_print_type_cluster_ip_and_ports()
    {
        var table = (await _kubectl.RunAsync("get", "svc", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], table.Headers);
        var row = table.Row("httpbin");
        Assert.Equal("ClusterIP", row["TYPE"]);
        Assert.Equal("<none>", row["EXTERNAL-IP"]);
        Assert.Equal("8080/TCP", row["PORT(S)"]);
        var clusterIp = (await _kubectl.RunAsync("get", "svc", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.clusterIP}")).AssertSuccess().Stdout;
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", clusterIp);
        Assert.Equal(clusterIp, row["CLUSTER-IP"]);

        Assert.Equal("80/TCP", (await _kubectl.RunAsync("get", "svc", "curl", "-n", "curl")).AssertSuccess().Table.Row("curl")["PORT(S)"]);
    }

    [Fact]
    public async Task Endpoints_list_both_ready_httpbin_pods()
    {
        var result = await _kubectl.WaitForAsync(
            r => r.Succeeded && r.Table.Row("httpbin")["ENDPOINTS"].Split(',').Length == 2, "get", "endpoints", "-n", "httpbin");
        Assert.Equal(["NAME", "ENDPOINTS", "AGE"], result.Table.Headers);
        var endpoints = result.Table.Row("httpbin")["ENDPOINTS"];
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:8080,\d+\.\d+\.\d+\.\d+:8080$", endpoints);

        var podIps = (await _kubectl.RunAsync("get", "pods", "-n", "httpbin", "-l", "app=pipy", "-o", "jsonpath={.items[*].status.podIP}")).AssertSuccess().Stdout;
        Assert.Equal(
            podIps.Split(' ').Select(ip => ip + ":8080").Order(StringComparer.Ordinal),
            endpoints.Split(',').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Crds_are_listed_with_their_creation_time()
    {
        var table = (await _kubectl.RunAsync("get", "crd")).AssertSuccess().Table;
        Assert.Equal(["NAME", "CREATED AT"], table.Headers);
        Assert.Equal(
            [
                "clusterproperties.about.k8s.io", "clusters.flomesh.io", "globaltrafficpolicies.flomesh.io", "serviceexports.flomesh.io",
                "serviceexports.multicluster.x-k8s.io", "serviceimports.flomesh.io", "serviceimports.multicluster.x-k8s.io",
            ],
            table.Rows.Select(r => r["NAME"]));
        Assert.All(table.Rows, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", r["CREATED AT"]));
    }

    [Fact]
    public async Task Custom_resources_print_their_additional_printer_columns()
    {
        var gtp = (await _kubectl.RunAsync("get", "gtp", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "LB TYPE", "VALID", "AGE"], gtp.Headers);
        Assert.Equal("ActiveActive", gtp.Row("httpbin")["LB TYPE"]);
        Assert.Equal("", gtp.Row("httpbin")["VALID"]);

        var sexp = (await _kubectl.RunAsync("get", "sexp", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "VALID", "CONFLICT", "AGE"], sexp.Headers);
        Assert.Equal("", sexp.Row("httpbin")["VALID"]);

        // The columns read status conditions; write them through the status subresource.
        const string Status = """{"status":{"conditions":[{"type":"Valid","status":"True","reason":"Valid","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"},{"type":"Conflict","status":"False","reason":"NoConflict","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}""";
        Assert.Equal(
            ["serviceexport.flomesh.io/httpbin patched"],
            (await _kubectl.RunAsync("patch", "sexp", "httpbin", "-n", "httpbin", "--subresource=status", "--type=merge", "-p", Status)).AssertSuccess().Lines);
        var patched = (await _kubectl.RunAsync("get", "serviceexports.flomesh.io", "-A")).AssertSuccess().Table;
        Assert.Equal(["NAMESPACE", "NAME", "VALID", "CONFLICT", "AGE"], patched.Headers);
        Assert.Equal("True", patched.Row("httpbin")["VALID"]);
        Assert.Equal("False", patched.Row("httpbin")["CONFLICT"]);
    }

    [Fact]
    public async Task Jsonpath_output_reads_fields_of_objects_and_lists()
    {
        Assert.Equal("2", (await _kubectl.RunAsync("get", "deploy", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.replicas}")).AssertSuccess().Stdout);
        Assert.Equal(
            "ActiveActive default/default/default/cluster-1 default/default/default/cluster-3",
            (await _kubectl.RunAsync("get", "gtp", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.lbType} {.spec.targets[*].clusterKey}")).AssertSuccess().Stdout);
        var names = (await _kubectl.RunAsync("get", "ns", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}")).AssertSuccess().Lines;
        Assert.Equal(["curl", "default", "httpbin", "kube-node-lease", "kube-public", "kube-system"], names);
    }

    [Fact]
    public async Task Label_selectors_filter_lists()
    {
        var pipy = (await _kubectl.RunAsync("get", "pods", "-A", "-l", "app=pipy")).AssertSuccess().Table;
        Assert.Equal(2, pipy.Rows.Count);
        Assert.All(pipy.Rows, r => Assert.Equal("httpbin", r["NAMESPACE"]));

        var curl = (await _kubectl.RunAsync("get", "pods", "-A", "-l", "app=curl")).AssertSuccess().Table;
        Assert.Equal("curl", Assert.Single(curl.Rows)["NAMESPACE"]);

        Assert.Equal(3, (await _kubectl.RunAsync("get", "pods", "-A", "-l", "app in (pipy,curl)")).AssertSuccess().Table.Rows.Count);
        Assert.Equal("curl", Assert.Single((await _kubectl.RunAsync("get", "pods", "-A", "-l", "app!=pipy")).AssertSuccess().Table.Rows)["NAMESPACE"]);
        Assert.Equal(["curl"], (await _kubectl.RunAsync("get", "svc", "-A", "-l", "service=curl,app=curl")).AssertSuccess().Table.Rows.Select(r => r["NAME"]));
        Assert.Equal(
            ["curl", "httpbin"],
            (await _kubectl.RunAsync("get", "ns", "-l", "flomesh.io/monitored-by=fsm", "-o", "name")).AssertSuccess().Lines.Select(l => l["namespace/".Length..]));

        var none = (await _kubectl.RunAsync("get", "pods", "-A", "-l", "app=nothing")).AssertSuccess();
        Assert.Equal("", none.Stdout);
        Assert.Contains("No resources found", none.Stderr);
    }

    [Fact]
    public async Task Field_selectors_filter_lists()
    {
        var ns = (await _kubectl.RunAsync("get", "ns", "--field-selector", "metadata.name=httpbin")).AssertSuccess().Table;
        Assert.Equal("httpbin", Assert.Single(ns.Rows)["NAME"]);

        var pods = (await _kubectl.RunAsync("get", "pods", "-A", "--field-selector", "metadata.namespace=curl")).AssertSuccess().Table;
        Assert.Matches("^curl-", Assert.Single(pods.Rows)["NAME"]);

        Assert.Equal(3, (await _kubectl.RunAsync("get", "pods", "-A", "--field-selector", "status.phase=Running")).AssertSuccess().Table.Rows.Count);
        Assert.Equal(2, (await _kubectl.RunAsync("get", "pods", "-A", "--field-selector", "metadata.namespace!=curl")).AssertSuccess().Table.Rows.Count);

        var bad = (await _kubectl.RunAsync("get", "pods", "-A", "--field-selector", "spec.bogus=1")).AssertFailure();
        Assert.Contains("field label not supported: spec.bogus", bad.Stderr);
    }

    [Fact]
    public async Task Describe_deployment_shows_replicas_template_and_conditions()
    {
        var text = (await _kubectl.RunAsync("describe", "deployment", "httpbin", "-n", "httpbin")).AssertSuccess().Stdout;
        AssertLine(text, @"Name:\s+httpbin");
        AssertLine(text, @"Namespace:\s+httpbin");
        AssertLine(text, @"Labels:\s+app=pipy");
        AssertLine(text, @"Selector:\s+app=pipy");
        AssertLine(text, @"Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable");
        AssertLine(text, @"StrategyType:\s+RollingUpdate");
        AssertLine(text, @"RollingUpdateStrategy:\s+25% max unavailable, 25% max surge");
        AssertLine(text, @"\s+Image:\s+flomesh/pipy:latest");
        AssertLine(text, @"\s+Port:\s+8080/TCP");
        AssertLine(text, @"\s+Available\s+True\s+MinimumReplicasAvailable");
        AssertLine(text, @"NewReplicaSet:\s+httpbin-[a-z0-9]+ \(2/2 replicas created\)");
        AssertLine(text, @"Events:\s+<none>");
    }

    [Fact]
    public async Task Describe_service_shows_ip_ports_and_endpoints()
    {
        var clusterIp = (await _kubectl.RunAsync("get", "svc", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.clusterIP}")).AssertSuccess().Stdout;
        var text = (await _kubectl.RunAsync("describe", "service", "httpbin", "-n", "httpbin")).AssertSuccess().Stdout;
        AssertLine(text, @"Name:\s+httpbin");
        AssertLine(text, @"Selector:\s+app=pipy");
        AssertLine(text, @"Type:\s+ClusterIP");
        AssertLine(text, $@"IP:\s+{Regex.Escape(clusterIp)}");
        AssertLine(text, @"Port:\s+<unset>\s+8080/TCP");
        AssertLine(text, @"TargetPort:\s+8080/TCP");
        AssertLine(text, @"Endpoints:\s+\d+\.\d+\.\d+\.\d+:8080,\d+\.\d+\.\d+\.\d+:8080");
        AssertLine(text, @"Session Affinity:\s+None");
    }

    [Fact]
    public async Task Describe_custom_resource_shows_its_spec()
    {
        var text = (await _kubectl.RunAsync("describe", "gtp", "httpbin", "-n", "httpbin")).AssertSuccess().Stdout;
        AssertLine(text, @"Name:\s+httpbin");
        AssertLine(text, @"Namespace:\s+httpbin");
        AssertLine(text, @"API Version:\s+flomesh.io/v1alpha1");
        AssertLine(text, @"Kind:\s+GlobalTrafficPolicy");
        AssertLine(text, @"\s+Lb Type:\s+ActiveActive");
        AssertLine(text, @"\s+Cluster Key:\s+default/default/default/cluster-1");
        AssertLine(text, @"\s+Cluster Key:\s+default/default/default/cluster-3");

        var all = (await _kubectl.RunAsync("describe", "serviceexports", "-n", "httpbin")).AssertSuccess().Stdout;
        AssertLine(all, @"Kind:\s+ServiceExport");
        AssertLine(all, @"\s+Path:\s+/httpbin");
        AssertLine(all, @"\s+Port Number:\s+8080");
    }

    private static void AssertLine(string text, string pattern) =>
        Assert.True(Regex.IsMatch(text, $"^{pattern}$", RegexOptions.Multiline), $"no line matches /{pattern}/ in:\n{text}");
}
