using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>
/// The upstream multicluster.x-k8s.io and about.k8s.io CRDs served unchanged beside flomesh.io's: applied verbatim,
/// printed with their columns, and resolved by kubectl the way a real API server's discovery makes it resolve them.
/// </summary>
public sealed class McsCrdKubectlTests(McsCrdSandboxFixture fixture) : IClassFixture<McsCrdSandboxFixture>
{
    private const string Ns = McsCrdSandboxFixture.Namespace;

    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task The_upstream_files_apply_verbatim_become_established_and_reapply_unchanged()
    {
        string[] names = ["serviceexports.multicluster.x-k8s.io", "serviceimports.multicluster.x-k8s.io", "clusterproperties.about.k8s.io"];
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal([$"customresourcedefinition.apiextensions.k8s.io/{names[i]} created"], fixture.Applied[i].AssertSuccess().Lines);
            await _kubectl.WaitForAsync(r => r.Succeeded && r.Stdout == "True", "get", "crd", names[i], "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}");
            Assert.Equal("[\"v1beta1\"]", (await _kubectl.RunAsync("get", "crd", names[i], "-o", "jsonpath={.status.storedVersions}")).AssertSuccess().Stdout);
            var again = (await _kubectl.RunAsync("apply", "-f", Path.Combine(RepoPaths.CrdDirectory, McsCrdSandboxFixture.UpstreamFiles[i]))).AssertSuccess();
            Assert.Equal([$"customresourcedefinition.apiextensions.k8s.io/{names[i]} unchanged"], again.Lines);
        }

        var versions = (await _kubectl.RunAsync("api-versions")).AssertSuccess().Lines;
        Assert.Contains("multicluster.x-k8s.io/v1alpha1", versions);
        Assert.Contains("multicluster.x-k8s.io/v1beta1", versions);
        Assert.Contains("about.k8s.io/v1beta1", versions);
    }

    [Fact]
    public async Task A_multicluster_ServiceImport_prints_type_and_ips_as_a_real_server_does()
    {
        const string import = """
            apiVersion: multicluster.x-k8s.io/v1beta1
            kind: ServiceImport
            metadata:
              name: printed
              namespace: mcs
            spec:
              type: ClusterSetIP
              ips: ["10.96.12.7"]
              ports:
              - name: http
                port: 80
                protocol: TCP
            """;
        Assert.Equal(["serviceimport.multicluster.x-k8s.io/printed created"], (await _kubectl.RunWithInputAsync(import, "apply", "-f", "-")).AssertSuccess().Lines);

        var table = (await _kubectl.RunAsync("get", "serviceimports.multicluster.x-k8s.io", "-n", Ns)).AssertSuccess().Table;
        Assert.Equal(["NAME", "TYPE", "IP", "AGE"], table.Headers);
        Assert.Equal("ClusterSetIP", table.Row("printed")["TYPE"]);
        // An array column is printed as JSON, as the apiextensions table convertor's JSONPath printer does.
        Assert.Equal("[\"10.96.12.7\"]", table.Row("printed")["IP"]);

        var missing = (await _kubectl.RunWithInputAsync(import.Replace("  type: ClusterSetIP\n", ""), "apply", "-f", "-")).AssertFailure();
        Assert.Contains("spec.type: Required value", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bare_plurals_stay_flomesh_while_short_names_and_qualified_names_reach_the_upstream_groups()
    {
        const string objects = """
            apiVersion: flomesh.io/v1alpha1
            kind: ServiceImport
            metadata:
              name: flomesh-import
              namespace: mcs
            spec:
              type: ClusterSetIP
            ---
            apiVersion: multicluster.x-k8s.io/v1alpha1
            kind: ServiceImport
            metadata:
              name: mcs-import
              namespace: mcs
            spec:
              type: Headless
              ports:
              - port: 42
                protocol: UDP
            ---
            apiVersion: multicluster.x-k8s.io/v1beta1
            kind: ServiceExport
            metadata:
              name: mcs-export
              namespace: mcs
            ---
            apiVersion: flomesh.io/v1alpha1
            kind: ServiceExport
            metadata:
              name: flomesh-export
              namespace: mcs
            ---
            apiVersion: about.k8s.io/v1beta1
            kind: ClusterProperty
            metadata:
              name: cluster.clusterset.k8s.io
            spec:
              value: cluster-1
            """;
        (await _kubectl.RunWithInputAsync(objects, "apply", "-f", "-")).AssertSuccess();

        async Task<IReadOnlyList<string>> Names(string resource) =>
            (await _kubectl.RunAsync("get", resource, "-n", Ns, "-o", "name")).AssertSuccess().Lines;

        // A real server lists CRD groups by priority (all 1000) then name, so flomesh.io wins the bare plural.
        Assert.Equal(["serviceimport.flomesh.io/flomesh-import"], await Names("serviceimports"));
        Assert.Equal(["serviceexport.flomesh.io/flomesh-export"], await Names("serviceexports"));
        Assert.Equal(["serviceimport.flomesh.io/flomesh-import"], await Names("simp"));
        Assert.Equal(["serviceexport.flomesh.io/flomesh-export"], await Names("sexp"));
        foreach (var resource in new[] { "svcim", "svcimport", "serviceimports.multicluster.x-k8s.io", "serviceimports.v1alpha1.multicluster.x-k8s.io" })
        {
            Assert.Equal(["serviceimport.multicluster.x-k8s.io/mcs-import"], await Names(resource));
        }

        foreach (var resource in new[] { "svcex", "svcexport", "serviceexports.multicluster.x-k8s.io" })
        {
            Assert.Equal(["serviceexport.multicluster.x-k8s.io/mcs-export"], await Names(resource));
        }

        Assert.Equal(["clusterproperty.about.k8s.io/cluster.clusterset.k8s.io"], await Names("clusterproperties"));
        Assert.Contains("clusterproperty.about.k8s.io/cluster.clusterset.k8s.io", await Names("multicluster"));
        var property = (await _kubectl.RunAsync("get", "clusterproperties")).AssertSuccess().Table;
        Assert.Equal(["NAME", "VALUE", "AGE"], property.Headers);
        Assert.Equal("cluster-1", property.Row("cluster.clusterset.k8s.io")["VALUE"]);
    }
}
