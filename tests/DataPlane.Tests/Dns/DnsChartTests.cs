using System.Text.RegularExpressions;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>The chart's member DNS (templates/member/dns.yaml, coredns-snippet.yaml) as helm renders it.</summary>
public sealed class DnsChartTests
{
    private static readonly string Chart = Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans");

    private static readonly string[] Member = ["--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1"];

    [Fact]
    public async Task Is_off_unless_enabled()
    {
        var documents = await RenderAsync(Member);

        Assert.DoesNotContain(documents, d => d.Contains("name: ec-dns", StringComparison.Ordinal) || d.Contains("coredns-clusterset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runs_the_dns_component_behind_a_port_53_Service_with_read_only_RBAC()
    {
        var documents = await RenderAsync([.. Member, "--set", "member.dns.enabled=true"]);

        var deployment = Single<V1Deployment>(documents, "Deployment", "ec-dns");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(["dns"], container.Args);
        Assert.Equal("ec-dns", deployment.Spec.Template.Spec.ServiceAccountName);
        var env = container.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("0.0.0.0:5353", env["DataPlane__Dns__Listen"]);
        Assert.Equal("5", env["DataPlane__Dns__Ttl"]);
        Assert.Equal("http://$(POD_IP):8080", env["DataPlane__Listen"]);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal(["dns-tcp/TCP/5353", "dns-udp/UDP/5353", "http/TCP/8080"], container.Ports.Select(p => $"{p.Name}/{p.Protocol ?? "TCP"}/{p.ContainerPort}").Order(StringComparer.Ordinal));

        var service = Single<V1Service>(documents, "Service", "ec-dns");
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
        Assert.Equal(["dns-tcp/TCP/53->dns-tcp", "dns-udp/UDP/53->dns-udp"], service.Spec.Ports.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}->{p.TargetPort.Value}").Order(StringComparer.Ordinal));

        var role = Single<V1ClusterRole>(documents, "ClusterRole", "ec-dns");
        Assert.All(role.Rules, r => Assert.Equal(["list", "watch"], r.Verbs));
        Assert.Contains(role.Rules, r => r.ApiGroups.SequenceEqual(["multicluster.x-k8s.io"]) && r.Resources.SequenceEqual(["serviceimports"]));
        Assert.Contains(role.Rules, r => r.ApiGroups.SequenceEqual(["discovery.k8s.io"]) && r.Resources.SequenceEqual(["endpointslices"]));
        Assert.Contains(role.Rules, r => r.ApiGroups.SequenceEqual([""]) && r.Resources.SequenceEqual(["services"]));
        Assert.Equal("1", Single<V1PodDisruptionBudget>(documents, "PodDisruptionBudget", "ec-dns").Spec.MaxUnavailable.Value);
    }

    [Fact]
    public async Task Ships_the_CoreDNS_and_NodeLocal_DNSCache_server_blocks_forwarding_to_the_Service()
    {
        var documents = await RenderAsync([.. Member, "--set", "member.dns.enabled=true", "--set", "member.dns.service.clusterIP=10.96.0.53"]);

        Assert.Equal("10.96.0.53", Single<V1Service>(documents, "Service", "ec-dns").Spec.ClusterIP);
        var snippets = Single<V1ConfigMap>(documents, "ConfigMap", "ec-coredns-clusterset").Data;
        Assert.Equal(
            "clusterset.local:53 {\n    errors\n    cache 5\n    forward . 10.96.0.53\n}\n",
            snippets["Corefile"]);
        var nodeLocal = snippets["nodelocaldns"];
        Assert.StartsWith("clusterset.local:53 {\n", nodeLocal, StringComparison.Ordinal);
        Assert.Contains("    forward . 10.96.0.53 {\n        force_tcp\n    }\n", nodeLocal, StringComparison.Ordinal);
        Assert.Contains("        success 9984 5\n        denial 9984 5\n", nodeLocal, StringComparison.Ordinal);
        Assert.Contains("    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__\n", nodeLocal, StringComparison.Ordinal);
        Assert.Equal(nodeLocal.Count(c => c == '{'), nodeLocal.Count(c => c == '}'));

        // Without a fixed or live ClusterIP (helm template has no cluster), the target says what to put there.
        var unset = Single<V1ConfigMap>(await RenderAsync([.. Member, "--set", "member.dns.enabled=true"]), "ConfigMap", "ec-coredns-clusterset").Data;
        Assert.Contains("forward . <ec-dns ClusterIP>\n", unset["Corefile"], StringComparison.Ordinal);
    }

    private static async Task<List<string>> RenderAsync(string[] args)
    {
        var (code, output) = await HelmProcess.RunAsync(["template", "ec", Chart, .. args], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output);
        return [.. Regex.Split(output, @"^---\s*$", RegexOptions.Multiline).Where(d => d.Contains("kind:", StringComparison.Ordinal))];
    }

    private static T Single<T>(List<string> documents, string kind, string name) =>
        KubernetesYaml.Deserialize<T>(Assert.Single(documents, d => Regex.IsMatch(d, $@"^kind: {kind}\s*$", RegexOptions.Multiline) && Regex.IsMatch(d, $@"^  name: {Regex.Escape(name)}\s*$", RegexOptions.Multiline)));
}
