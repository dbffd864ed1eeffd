using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// Service defaulting and validation as kube-apiserver does them on a single-stack IPv4 cluster, in its words:
/// headless clusterIPs, IP families and policies (dry runs included), ExternalName, ClientIP affinity, ports.
/// </summary>
public sealed class ServiceDefaultingTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IAsyncLifetime
{
    private const string Ns = "svc-rules";

    private readonly Kubernetes _client = fixture.Client();

    public async Task InitializeAsync()
    {
        try
        {
            await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace(Ns));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The class fixture is shared: an earlier test created it.
        }
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_headless_service_lists_None_as_its_cluster_ips_and_gets_single_stack_families()
    {
        var created = await CreateAsync("headless", s => s.ClusterIP = "None");

        Assert.Equal(["None"], created.Spec.ClusterIPs);
        Assert.Equal(["IPv4"], created.Spec.IpFamilies);
        Assert.Equal("SingleStack", created.Spec.IpFamilyPolicy);
        Assert.Equal("None", created.Spec.SessionAffinity);
        Assert.Equal("Cluster", created.Spec.InternalTrafficPolicy);
    }

    [Fact]
    public async Task PreferDualStack_is_kept_and_RequireDualStack_is_refused_alike_in_a_dry_run()
    {
        var prefer = await CreateAsync("prefer", s => s.IpFamilyPolicy = "PreferDualStack");
        Assert.Equal("PreferDualStack", prefer.Spec.IpFamilyPolicy);
        Assert.Equal(["IPv4"], prefer.Spec.IpFamilies);
        Assert.Single(prefer.Spec.ClusterIPs);

        const string Expected = "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("require", s => s.IpFamilyPolicy = "RequireDualStack"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal([Expected], Causes(error));
        Assert.Equal("Service \"require\" is invalid: " + Expected, (string?)JsonNode.Parse(error.Response.Content)!["message"]);

        // The dual-stack probe is a dry-run create: it must be refused the same way, and a dry run stores nothing.
        var dryRun = await DryRunCreateAsync("require", ""","ipFamilyPolicy":"RequireDualStack" """);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, dryRun.Status);
        Assert.Equal(error.Response.Content, dryRun.Body);
        Assert.Equal(HttpStatusCode.Created, (await DryRunCreateAsync("single-dry", ""","ipFamilyPolicy":"SingleStack" """)).Status);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedServiceAsync("single-dry", Ns));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);

        var v6 = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("v6", s => s.IpFamilies = ["IPv6"]));
        Assert.Equal(["spec.ipFamilies[0]: Invalid value: [\"IPv6\"]: ipfamily IPv6 is not configured on cluster"], Causes(v6));
    }

    [Fact]
    public async Task ExternalName_services_take_no_ips_nor_families_and_need_a_dns_name()
    {
        var alias = await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "alias" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "target.example.com." },
        }, Ns);
        Assert.Null(alias.Spec.ClusterIP);
        Assert.Null(alias.Spec.ClusterIPs);
        Assert.Null(alias.Spec.IpFamilies);
        Assert.Null(alias.Spec.IpFamilyPolicy);
        Assert.Null(alias.Spec.InternalTrafficPolicy);
        Assert.Equal("None", alias.Spec.SessionAffinity);

        var policy = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "alias-policy" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "target.example.com", IpFamilyPolicy = "SingleStack" },
        }, Ns));
        Assert.Equal(["spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"], Causes(policy));

        var nameless = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "alias-nameless" },
            Spec = new V1ServiceSpec { Type = "ExternalName" },
        }, Ns));
        Assert.Equal(["spec.externalName: Required value"], Causes(nameless));

        var bad = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "alias-bad" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "Not_A_Name" },
        }, Ns));
        Assert.StartsWith("spec.externalName: Invalid value: \"Not_A_Name\": a lowercase RFC 1123 subdomain", Assert.Single(Causes(bad)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientIP_affinity_defaults_its_timeout_to_three_hours_and_bounds_it_to_a_day()
    {
        var sticky = await CreateAsync("sticky", s => s.SessionAffinity = "ClientIP");
        Assert.Equal(10800, sticky.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds);

        var day = await CreateAsync("sticky-day", s => Affinity(s, 86400));
        Assert.Equal(86400, day.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds);

        foreach (var (name, timeout) in new[] { ("sticky-zero", 0), ("sticky-long", 86401) })
        {
            var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(name, s => Affinity(s, timeout)));
            Assert.Equal([$"spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: {timeout}: must be greater than 0 and less than 86400"], Causes(error));
        }

        var stray = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("stray", s =>
        {
            Affinity(s, 60);
            s.SessionAffinity = "None";
        }));
        Assert.Equal(["spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"], Causes(stray));
    }

    [Fact]
    public async Task Ports_default_their_target_and_are_named_unique_and_tcp_udp_or_sctp()
    {
        var two = await CreateAsync("tcp-udp", s => s.Ports =
        [
            new V1ServicePort { Name = "tcp", Port = 42, Protocol = "TCP" },
            new V1ServicePort { Name = "udp", Port = 42, Protocol = "UDP" },
            new V1ServicePort { Name = "sctp", Port = 43, Protocol = "SCTP", TargetPort = 4300 },
        ]);
        Assert.Equal(["tcp/42->42", "udp/42->42", "sctp/43->4300"], two.Spec.Ports.Select(p => $"{p.Name}/{p.Port}->{p.TargetPort.Value}"));

        var http = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("http", s => s.Ports = [new V1ServicePort { Port = 80, Protocol = "HTTP" }]));
        Assert.Equal(["spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""], Causes(http));

        var unnamed = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("unnamed", s => s.Ports = [new V1ServicePort { Port = 80 }, new V1ServicePort { Port = 81 }]));
        Assert.Equal(["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"], Causes(unnamed));

        var sameName = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("same-name", s => s.Ports = [new V1ServicePort { Name = "web", Port = 80 }, new V1ServicePort { Name = "web", Port = 81 }]));
        Assert.Equal(["spec.ports[1].name: Duplicate value: \"web\""], Causes(sameName));

        var samePort = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync("same-port", s => s.Ports = [new V1ServicePort { Name = "a", Port = 42 }, new V1ServicePort { Name = "b", Port = 42, Protocol = "TCP" }]));
        Assert.StartsWith("spec.ports[1]: Duplicate value: ", Assert.Single(Causes(samePort)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_side_apply_keys_ports_by_port_and_protocol()
    {
        static string Manifest(int udpTarget) => """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"hello","namespace":"NS"},
             "spec":{"selector":{"app":"hello"},"ports":[{"name":"tcp","port":42,"protocol":"TCP"},{"name":"udp","port":42,"protocol":"UDP","targetPort":UDP_TARGET}]}}
            """.Replace("NS", Ns, StringComparison.Ordinal).Replace("UDP_TARGET", udpTarget.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        await _client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(Manifest(42), V1Patch.PatchType.ApplyPatch), "hello", Ns, fieldManager: "walkthrough");
        var applied = await _client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(Manifest(4242), V1Patch.PatchType.ApplyPatch), "hello", Ns, fieldManager: "walkthrough");

        Assert.Equal(["tcp/TCP/42->42", "udp/UDP/42->4242"], applied.Spec.Ports.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}->{p.TargetPort.Value}"));
        var fields = JsonNode.Parse(applied.Metadata.ManagedFields.Single(m => m.Manager == "walkthrough").FieldsV1.ToString()!)!;
        Assert.Equal(
            ["k:{\"port\":42,\"protocol\":\"TCP\"}", "k:{\"port\":42,\"protocol\":\"UDP\"}"],
            fields["f:spec"]!["f:ports"]!.AsObject().Select(p => p.Key).Where(k => k.StartsWith("k:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Traffic_distribution_is_kept()
    {
        await CreateAsync("close", s => s.TrafficDistribution = "PreferClose");
        Assert.Equal("PreferClose", (await _client.CoreV1.ReadNamespacedServiceAsync("close", Ns)).Spec.TrafficDistribution);
    }

    private static void Affinity(V1ServiceSpec spec, int timeout)
    {
        spec.SessionAffinity = "ClientIP";
        spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = timeout } };
    }

    private Task<V1Service> CreateAsync(string name, Action<V1ServiceSpec> shape)
    {
        var service = Objects.Service(name, Ns, name);
        shape(service.Spec);
        return _client.CoreV1.CreateNamespacedServiceAsync(service, Ns);
    }

    private async Task<(HttpStatusCode Status, string Body)> DryRunCreateAsync(string name, string specExtra)
    {
        using var http = fixture.Http();
        var body = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"NAME"},"spec":{"selector":{"app":"x"},"ports":[{"port":80}]EXTRA}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("EXTRA", specExtra, StringComparison.Ordinal);
        using var response = await http.PostAsync($"/api/v1/namespaces/{Ns}/services?dryRun=All", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
