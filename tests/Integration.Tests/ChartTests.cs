using System.Text.Json.Nodes;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The Helm chart, rendered by the real helm (3.17; .ci/run installs it): it lints, and the StatefulSet wires the
/// silo the way Orleans' Kubernetes hosting and the reconciler expect.
/// </summary>
public sealed class ChartTests
{
    private static readonly string[] MemberInstall =
        ["--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1"];

    [Fact]
    public async Task The_chart_lints_clean()
    {
        var (code, output) = await Helm.RunAsync("lint", Helm.Chart, "--strict");
        Assert.True(code == 0, output);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_StatefulSet_runs_silos_with_Kubernetes_hosting_Redis_and_probes()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--namespace", "erie-canal",
            "--set", "region=eu-west", "--set", "replicaCount=5", "--set", "settings.Health__ProbeInterval=00:00:02");
        Assert.True(code == 0, output);

        var objects = KubernetesYaml.LoadAllFromString(output);
        var statefulSet = Assert.Single(objects.OfType<V1StatefulSet>());
        Assert.Equal(5, statefulSet.Spec.Replicas);
        var silo = Assert.Single(statefulSet.Spec.Template.Spec.Containers);
        var env = silo.Env.ToDictionary(e => e.Name);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("eu-west", env["ErieCanal__Region"].Value);
        Assert.Equal("00:00:02", env["ErieCanal__Health__ProbeInterval"].Value);
        Assert.False(string.IsNullOrEmpty(env["Orleans__Redis"].Value));
        Assert.Equal("/healthz", silo.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", silo.ReadinessProbe.HttpGet.Path);
        Assert.Equal(statefulSet.Spec.Template.Metadata.Labels["orleans/serviceId"], env["ORLEANS_SERVICE_ID"].Value);

        // Its ServiceAccount may read Clusters and write their status, and manage its peers' pods.
        var role = Assert.Single(objects.OfType<V1ClusterRole>());
        Assert.Contains(role.Rules, r => r.ApiGroups.Contains("flomesh.io") && r.Resources.Contains("clusters/status") && r.Verbs.Contains("patch"));
        Assert.Contains(objects.OfType<V1Role>(), r => r.Rules.Any(rule => rule.Resources.Contains("pods") && rule.Verbs.Contains("watch")));
        Assert.Equal(statefulSet.Spec.Template.Spec.ServiceAccountName, Assert.Single(objects.OfType<V1ServiceAccount>()).Metadata.Name);
    }

    [Fact]
    public async Task The_member_side_install_lints_clean()
    {
        var (code, output) = await Helm.RunAsync("lint", Helm.Chart, "--strict", "--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1");
        Assert.True(code == 0, output);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_member_side_install_runs_a_gateway_behind_a_LoadBalancer_and_a_proxy_with_their_RBAC()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--namespace", "erie-canal",
            "--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1",
            "--set", "member.reconcilerAccess.subjects[0].kind=User", "--set", "member.reconcilerAccess.subjects[0].name=erie-canal-control-plane");
        Assert.True(code == 0, output);
        var objects = KubernetesYaml.LoadAllFromString(output);

        // No control plane here: no silos.
        Assert.Empty(objects.OfType<V1StatefulSet>());

        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        var services = objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);
        foreach (var component in new[] { "gateway", "proxy" })
        {
            var deployment = deployments[$"ec-{component}"];
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal(["dotnet", "/app/dataplane/ErieCanal.Orleans.DataPlane.dll", component], container.Command.Concat(container.Args).ToArray());
            var env = container.Env.ToDictionary(e => e.Name, e => e.Value);
            Assert.Equal("erie-canal-orleans", env["DataPlane__IngressClass"]);
            Assert.Equal("default/default/default/cluster-1", env["DataPlane__ClusterKey"]);
            Assert.Equal($"http://$(POD_IP):{container.Ports.Single().ContainerPort}", env["DataPlane__Listen"]);
            Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("ec-dataplane", deployment.Spec.Template.Spec.ServiceAccountName);

            // Its Service selects its pods and only those.
            var service = services[$"ec-{component}"];
            Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
            Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, deployment.Spec.Template.Metadata.Labels[l.Key]));
        }

        var gateway = services["ec-gateway"];
        Assert.Equal("LoadBalancer", gateway.Spec.Type);
        Assert.Equal(80, Assert.Single(gateway.Spec.Ports).Port);
        Assert.NotEqual(deployments["ec-gateway"].Spec.Selector.MatchLabels, deployments["ec-proxy"].Spec.Selector.MatchLabels);

        var ingressClass = Assert.Single(objects.OfType<V1IngressClass>());
        Assert.Equal(("erie-canal-orleans", "flomesh.io/erie-canal-orleans"), (ingressClass.Metadata.Name, ingressClass.Spec.Controller));

        // The data plane may watch what it routes by; the reconciler's identity may write Ingresses.
        var roles = objects.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        bool Grants(V1ClusterRole role, string resource, string verb) => role.Rules.Any(r => r.Resources.Contains(resource) && r.Verbs.Contains(verb));
        foreach (var resource in new[] { "ingresses", "services", "endpointslices", "serviceimports" })
        {
            Assert.True(Grants(roles["ec-dataplane"], resource, "watch"), $"the data plane may watch {resource}");
        }

        Assert.False(Grants(roles["ec-dataplane"], "ingresses", "create"));

        // The gateway opens TCP tunnels only to exported Services: it reads the ServiceExports of both APIs.
        foreach (var group in new[] { "flomesh.io", "multicluster.x-k8s.io" })
        {
            Assert.All(new[] { "get", "list", "watch" }, verb => Assert.Contains(roles["ec-dataplane"].Rules, r => r.ApiGroups.Contains(group) && r.Resources.Contains("serviceexports") && r.Verbs.Contains(verb)));
        }
        Assert.True(Grants(roles["ec-reconciler-access"], "ingresses", "patch"));
        Assert.True(Grants(roles["ec-reconciler-access"], "ingresses", "delete"));

        // The MCS import engine's writes: ServiceImports, derived Services, EndpointSlices (and each verb it uses).
        foreach (var (resource, verbs) in new[]
        {
            ("serviceimports", new[] { "get", "list", "create", "patch", "delete" }),
            ("services", ["get", "list", "create", "update", "delete"]),
            ("endpointslices", ["get", "list", "create", "update", "delete"]),
            ("namespaces", ["get", "create"]),
        })
        {
            Assert.All(verbs, verb => Assert.True(Grants(roles["ec-reconciler-access"], resource, verb), $"the reconciler may {verb} {resource}"));
        }

        Assert.Contains(roles["ec-reconciler-access"].Rules, r => r.ApiGroups.Contains("multicluster.x-k8s.io") && r.Resources.Contains("serviceimports/status") && r.Verbs.Contains("patch"));
        var bindings = objects.OfType<V1ClusterRoleBinding>().ToDictionary(b => b.RoleRef.Name);
        Assert.Equal("ec-dataplane", Assert.Single(bindings["ec-dataplane"].Subjects).Name);
        Assert.Equal("erie-canal-control-plane", Assert.Single(bindings["ec-reconciler-access"].Subjects).Name);
    }

    [Fact]
    public async Task The_gateway_and_the_proxy_run_spread_over_nodes_under_PodDisruptionBudgets()
    {
        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--namespace", "erie-canal"]));
        var budgets = objects.OfType<V1PodDisruptionBudget>().ToDictionary(b => b.Metadata.Name);
        Assert.Equal(["ec-gateway", "ec-proxy"], budgets.Keys.Order(StringComparer.Ordinal));
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            Assert.True(deployment.Spec.Replicas >= 2, $"{deployment.Metadata.Name} runs two or more replicas");

            // At most one pod evicted at a time, of this component only.
            var budget = budgets[deployment.Metadata.Name];
            Assert.Equal(("erie-canal", "1"), (budget.Metadata.NamespaceProperty, budget.Spec.MaxUnavailable.Value));
            Assert.Null(budget.Spec.MinAvailable);
            Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);

            // Its replicas preferably on different nodes: counted by its own pods' labels.
            var spread = Assert.Single(deployment.Spec.Template.Spec.TopologySpreadConstraints);
            Assert.Equal((1, "kubernetes.io/hostname", "ScheduleAnyway"), (spread.MaxSkew, spread.TopologyKey, spread.WhenUnsatisfiable));
            Assert.Equal(deployment.Spec.Selector.MatchLabels, spread.LabelSelector.MatchLabels);
        }

        Assert.NotEqual(budgets["ec-gateway"].Spec.Selector.MatchLabels, budgets["ec-proxy"].Spec.Selector.MatchLabels);

        // Both can be turned off, and the spread made a rule.
        objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.gateway.podDisruptionBudget.enabled=false",
            "--set", "member.proxy.spread.enabled=false", "--set", "member.gateway.spread.whenUnsatisfiable=DoNotSchedule"]));
        Assert.Equal("ec-proxy", Assert.Single(objects.OfType<V1PodDisruptionBudget>()).Metadata.Name);
        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        Assert.Null(deployments["ec-proxy"].Spec.Template.Spec.TopologySpreadConstraints);
        Assert.Equal("DoNotSchedule", Assert.Single(deployments["ec-gateway"].Spec.Template.Spec.TopologySpreadConstraints).WhenUnsatisfiable);
    }

    [Fact]
    public async Task A_proxy_of_fewer_than_two_replicas_is_refused_unless_explicitly_allowed()
    {
        foreach (var replicas in new[] { "1", "0" })
        {
            var (code, output) = await Helm.RunAsync(["template", "ec", Helm.Chart, .. MemberInstall, "--set", $"member.proxy.replicas={replicas}"]);
            Assert.NotEqual(0, code);
            Assert.Contains($"member.proxy.replicas is {replicas}: the proxy is the endpoint of every derived Service", output, StringComparison.Ordinal);
            Assert.Contains("member.proxy.allowSingleReplica=true", output, StringComparison.Ordinal);
        }

        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.proxy.replicas=1", "--set", "member.proxy.allowSingleReplica=true"]));
        Assert.Equal(1, Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "ec-proxy").Spec.Replicas);

        // A single replica's budget still lets a node drain go (maxUnavailable, not minAvailable).
        Assert.Equal("1", Assert.Single(objects.OfType<V1PodDisruptionBudget>(), b => b.Metadata.Name == "ec-proxy").Spec.MaxUnavailable.Value);

        // The gateway is not held to it.
        Assert.Equal(1, Assert.Single(KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.gateway.replicas=1"])).OfType<V1Deployment>(), d => d.Metadata.Name == "ec-gateway").Spec.Replicas);
    }

    [Fact]
    public async Task The_proxy_is_given_its_listener_port_range_and_a_bad_range_is_refused()
    {
        Assert.Equal(("20000", "29999"), ListenerRange(await Helm.TemplateAsync(MemberInstall)));
        Assert.Equal(("40000", "40999"), ListenerRange(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.proxy.listenerPorts.first=40000", "--set", "member.proxy.listenerPorts.last=40999"])));

        // The gateway has no listener range.
        var gateway = Assert.Single(KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync(MemberInstall)).OfType<V1Deployment>(), d => d.Metadata.Name == "ec-gateway");
        Assert.DoesNotContain(gateway.Spec.Template.Spec.Containers[0].Env, e => e.Name.StartsWith("DataPlane__Listener", StringComparison.Ordinal));

        foreach (var (values, message) in new[]
        {
            (new[] { "member.proxy.listenerPorts.first=30000" }, "member.proxy.listenerPorts.first (30000) must not be above member.proxy.listenerPorts.last (29999)"),
            (["member.proxy.listenerPorts.first=80"], "member.proxy.listenerPorts must lie within 1024-65535 (first 80, last 29999)"),
            (["member.proxy.listenerPorts.last=70000"], "member.proxy.listenerPorts must lie within 1024-65535 (first 20000, last 70000)"),
            (["member.proxy.containerPort=25000"], "member.proxy.containerPort (25000) lies in member.proxy.listenerPorts (20000-29999)"),
        })
        {
            var (code, output) = await Helm.RunAsync(["template", "ec", Helm.Chart, .. MemberInstall, .. values.SelectMany(v => new[] { "--set", v })]);
            Assert.NotEqual(0, code);
            Assert.Contains(message, output, StringComparison.Ordinal);
        }

        static (string?, string?) ListenerRange(string yaml)
        {
            var proxy = Assert.Single(KubernetesYaml.LoadAllFromString(yaml).OfType<V1Deployment>(), d => d.Metadata.Name == "ec-proxy");
            var env = Assert.Single(proxy.Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name, e => e.Value);
            return (env["DataPlane__ListenerFirstPort"], env["DataPlane__ListenerLastPort"]);
        }
    }

    [Fact]
    public async Task NetworkPolicies_open_the_proxy_to_the_cluster_and_the_gateway_to_its_peers_only_when_enabled()
    {
        Assert.Empty(KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync(MemberInstall)).OfType<V1NetworkPolicy>());
        Assert.Empty(KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync("--set", "member.networkPolicy.enabled=true")).OfType<V1NetworkPolicy>());

        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--namespace", "erie-canal", "--set", "member.networkPolicy.enabled=true",
            "--set", "member.proxy.listenerPorts.first=21000", "--set", "member.proxy.listenerPorts.last=21999", "--set", "member.proxy.containerPort=8081"]));
        var policies = objects.OfType<V1NetworkPolicy>().ToDictionary(p => p.Metadata.Name);
        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        Assert.Equal(["ec-gateway", "ec-proxy"], policies.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, policy) in policies)
        {
            Assert.Equal("erie-canal", policy.Metadata.NamespaceProperty);
            Assert.Equal(deployments[name].Spec.Selector.MatchLabels, policy.Spec.PodSelector.MatchLabels);
            Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        }

        // The proxy: from every pod of every namespace, on its HTTP port and its listener range.
        var proxyRule = Assert.Single(policies["ec-proxy"].Spec.Ingress);
        var peer = Assert.Single(proxyRule.FromProperty);
        Assert.True(peer.NamespaceSelector is { MatchLabels: null, MatchExpressions: null } && peer.PodSelector is null && peer.IpBlock is null);
        Assert.Equal(["TCP 8081-", "TCP 21000-21999"], proxyRule.Ports.Select(p => $"{p.Protocol} {p.Port.Value}-{p.EndPort}"));

        // The gateway: its containerPort, from anywhere by default (other clusters arrive through its LoadBalancer)...
        var gatewayRule = Assert.Single(policies["ec-gateway"].Spec.Ingress);
        Assert.Null(gatewayRule.FromProperty);
        Assert.Equal("8080", Assert.Single(gatewayRule.Ports).Port.Value);

        // ...or from the peers given.
        objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.networkPolicy.enabled=true",
            "--set", "member.networkPolicy.gatewayFrom[0].ipBlock.cidr=203.0.113.0/24"]));
        gatewayRule = Assert.Single(Assert.Single(objects.OfType<V1NetworkPolicy>(), p => p.Metadata.Name == "ec-gateway").Spec.Ingress);
        Assert.Equal("203.0.113.0/24", Assert.Single(gatewayRule.FromProperty).IpBlock.Cidr);
    }

    [Fact]
    public async Task The_default_install_has_no_member_side_objects_and_a_member_install_needs_its_clusterKey()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart);
        Assert.True(code == 0, output);
        var objects = KubernetesYaml.LoadAllFromString(output);
        Assert.Single(objects.OfType<V1StatefulSet>());
        Assert.Empty(objects.OfType<V1Deployment>());
        Assert.Empty(objects.OfType<V1IngressClass>());

        (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--set", "member.enabled=true");
        Assert.NotEqual(0, code);
        Assert.Contains("member.clusterKey is required", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chart_without_redis_is_refused_with_a_clear_message()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--set", "redis.connectionString=");
        Assert.NotEqual(0, code);
        Assert.Contains("redis.connectionString is required", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_metrics_options_render_ServiceMonitors_and_the_failover_Grafana_dashboard()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart);
        Assert.True(code == 0, output);
        Assert.DoesNotContain(Helm.Documents(output), d => d["kind"]?.GetValue<string>() is "ServiceMonitor" or "ConfigMap");

        (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--namespace", "erie-canal", "--set", "metrics.serviceMonitor.enabled=true",
            "--set", "metrics.serviceMonitor.labels.release=prometheus", "--set", "metrics.grafanaDashboard.enabled=true");
        Assert.True(code == 0, output);
        var documents = Helm.Documents(output);

        // The silos' ServiceMonitor selects their Service and scrapes /metrics on its http port.
        var monitor = Assert.Single(documents, d => d["kind"]?.GetValue<string>() == "ServiceMonitor");
        Assert.Equal("monitoring.coreos.com/v1", monitor["apiVersion"]!.GetValue<string>());
        Assert.Equal("prometheus", monitor["metadata"]!["labels"]!["release"]!.GetValue<string>());
        var endpoint = Assert.Single(monitor["spec"]!["endpoints"]!.AsArray())!;
        Assert.Equal(("http", "/metrics"), (endpoint["port"]!.GetValue<string>(), endpoint["path"]!.GetValue<string>()));
        var service = Assert.Single(documents, d => d["kind"]?.GetValue<string>() == "Service");
        var serviceLabels = service["metadata"]!["labels"]!.AsObject();
        Assert.All(monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), l => Assert.Equal(l.Value!.GetValue<string>(), serviceLabels[l.Key]?.GetValue<string>()));
        Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "http");

        // The dashboard: a ConfigMap for Grafana's sidecar, the same JSON as dashboards/failover.json.
        var configMap = Assert.Single(documents, d => d["kind"]?.GetValue<string>() == "ConfigMap");
        Assert.Equal("1", configMap["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>());
        var rendered = JsonNode.Parse(configMap["data"]!["erie-canal-failover.json"]!.GetValue<string>())!;
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Helm.Chart, "dashboards", "failover.json")))!;
        Assert.True(JsonNode.DeepEquals(file, rendered));
        var expressions = string.Join("\n", file["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()));
        foreach (var metric in new[]
        {
            "eriecanal_member_healthy", "eriecanal_failovers_total", "eriecanal_failover_duration_seconds_bucket", "eriecanal_serviceimport_active_endpoints",
            "eriecanal_import_propagation_latency_seconds_bucket", "eriecanal_serviceimport_write_failures_total",
        })
        {
            Assert.Contains(metric, expressions, StringComparison.Ordinal);
        }

        // A member install also scrapes its gateway and proxy.
        (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--set", "metrics.serviceMonitor.enabled=true", "--set", "controlPlane.enabled=false",
            "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1");
        Assert.True(code == 0, output);
        Assert.Equal(["ec-gateway", "ec-proxy"], Helm.Documents(output).Where(d => d["kind"]?.GetValue<string>() == "ServiceMonitor").Select(d => d["metadata"]!["name"]!.GetValue<string>()).Order());
    }
}
