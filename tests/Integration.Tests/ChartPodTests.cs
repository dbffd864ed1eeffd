using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The chart's pods as a cluster runs them, rendered by the real helm: one image, a locked-down security context,
/// every listener on the pod's own address, a shutdown inside the grace period, probes that say what they mean, a
/// PodDisruptionBudget, and RBAC that grants what the code calls and nothing more.
/// </summary>
public sealed class ChartPodTests
{
    private static readonly string[] MemberInstall =
        ["--set", "controlPlane.enabled=false", "--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1"];

    [Fact]
    public async Task Every_pod_runs_the_one_image_as_uid_1654_on_a_read_only_root_with_a_tmp_emptyDir()
    {
        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync(["--set", "member.enabled=true", "--set", "member.clusterKey=default/default/default/cluster-1"]));
        var pods = objects.OfType<V1StatefulSet>().Select(s => s.Spec.Template.Spec).Concat(objects.OfType<V1Deployment>().Select(d => d.Spec.Template.Spec)).ToList();
        Assert.Equal(3, pods.Count);
        foreach (var pod in pods)
        {
            Assert.Equal((true, 1654L, 1654L, 1654L), (pod.SecurityContext.RunAsNonRoot == true, pod.SecurityContext.RunAsUser!.Value, pod.SecurityContext.RunAsGroup!.Value, pod.SecurityContext.FsGroup!.Value));
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            var container = Assert.Single(pod.Containers);
            Assert.Equal("ghcr.io/erie-canal/erie-canal-orleans:0.1.0", container.Image);
            Assert.Equal((false, true), (container.SecurityContext.AllowPrivilegeEscalation!.Value, container.SecurityContext.ReadOnlyRootFilesystem!.Value));
            Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
            var tmp = Assert.Single(pod.Volumes, v => v.Name == "tmp");
            Assert.NotNull(tmp.EmptyDir);
            Assert.Contains(container.VolumeMounts, m => m.Name == "tmp" && m.MountPath == "/tmp");
        }

        // The silo is the image's entry point; the data plane is started by its command.
        Assert.Null(Assert.Single(objects.OfType<V1StatefulSet>()).Spec.Template.Spec.Containers[0].Command);

        // The tag is the chart's appVersion unless set.
        var tagged = Helm.StatefulSet(await Helm.TemplateAsync("--set", "image.tag=1.2.3", "--set", "image.repository=registry.example/ec"));
        Assert.Equal("registry.example/ec:1.2.3", tagged.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Every_listener_binds_the_pod_IP_from_the_downward_API()
    {
        var env = Helm.SiloEnv(await Helm.TemplateAsync());
        var names = env.Keys.ToList();
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("http://$(POD_IP):8080", env["Http__Urls"].Value);
        Assert.Equal("$(POD_IP)", env["Orleans__ListenIP"].Value);

        // $(VAR) expands only from variables defined earlier in the list.
        Assert.True(names.IndexOf("POD_IP") < names.IndexOf("Http__Urls") && names.IndexOf("POD_IP") < names.IndexOf("Orleans__ListenIP"));

        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync(MemberInstall));
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            var dataPlaneEnv = container.Env.Select(e => e.Name).ToList();
            Assert.True(dataPlaneEnv.IndexOf("POD_IP") < dataPlaneEnv.IndexOf("DataPlane__Listen"));
            Assert.StartsWith("http://$(POD_IP):", container.Env.Single(e => e.Name == "DataPlane__Listen").Value, StringComparison.Ordinal);
        }

        // listenAddress opens them all to every address, for kubectl port-forward.
        Assert.Equal("http://0.0.0.0:8080", Helm.SiloEnv(await Helm.TemplateAsync("--set", "listenAddress=0.0.0.0"))["Http__Urls"].Value);
    }

    [Fact]
    public async Task The_silos_stop_inside_the_grace_period_and_roll_one_at_a_time_under_a_PodDisruptionBudget()
    {
        var yaml = await Helm.TemplateAsync();
        var statefulSet = Helm.StatefulSet(yaml);
        Assert.Equal(60, statefulSet.Spec.Template.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("55", Helm.SiloEnv(yaml)["Shutdown__TimeoutSeconds"].Value);
        Assert.Equal("RollingUpdate", statefulSet.Spec.UpdateStrategy.Type);
        Assert.Equal("Parallel", statefulSet.Spec.PodManagementPolicy);

        // The headless Service the StatefulSet names exists and selects its pods.
        var objects = KubernetesYaml.LoadAllFromString(yaml);
        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == statefulSet.Spec.ServiceName);
        Assert.Equal("None", service.Spec.ClusterIP);
        Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, statefulSet.Spec.Template.Metadata.Labels[l.Key]));

        var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
        Assert.Equal(statefulSet.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);

        yaml = await Helm.TemplateAsync("--set", "terminationGracePeriodSeconds=120", "--set", "podManagementPolicy=OrderedReady", "--set", "podDisruptionBudget.enabled=false");
        statefulSet = Helm.StatefulSet(yaml);
        Assert.Equal((120L, "115", "OrderedReady"), (statefulSet.Spec.Template.Spec.TerminationGracePeriodSeconds!.Value, Helm.SiloEnv(yaml)["Shutdown__TimeoutSeconds"].Value, statefulSet.Spec.PodManagementPolicy));
        Assert.Empty(KubernetesYaml.LoadAllFromString(yaml).OfType<V1PodDisruptionBudget>());
        Assert.Equal("30", Helm.SiloEnv(await Helm.TemplateAsync("--set", "shutdownTimeoutSeconds=30"))["Shutdown__TimeoutSeconds"].Value);
    }

    [Fact]
    public async Task The_probes_say_started_ready_and_alive()
    {
        var silo = Helm.StatefulSet(await Helm.TemplateAsync()).Spec.Template.Spec.Containers[0];
        Assert.Equal(("/healthz", "/readyz", "/healthz"), (silo.StartupProbe.HttpGet.Path, silo.ReadinessProbe.HttpGet.Path, silo.LivenessProbe.HttpGet.Path));

        // Startup allows a slow join (several minutes) before liveness takes over.
        Assert.True(silo.StartupProbe.PeriodSeconds * silo.StartupProbe.FailureThreshold >= 120);
    }

    [Fact]
    public async Task Storage_is_Redis_inline_or_from_a_Secret_or_Azure_Table_storage()
    {
        var env = Helm.SiloEnv(await Helm.TemplateAsync("--set", "redis.secretName=redis-conn"));
        Assert.Equal(("redis-conn", "connectionString"), (env["Orleans__Redis"].ValueFrom.SecretKeyRef.Name, env["Orleans__Redis"].ValueFrom.SecretKeyRef.Key));
        Assert.Null(env["Orleans__Redis"].Value);

        env = Helm.SiloEnv(await Helm.TemplateAsync("--set", "redis.secretName=redis-conn", "--set", "azureStorage.secretName=tables"));
        Assert.False(env.ContainsKey("Orleans__Redis"));
        Assert.Equal("tables", env["Orleans__AzureStorage"].ValueFrom.SecretKeyRef.Name);
    }

    [Fact]
    public async Task The_control_planes_RBAC_is_what_the_silo_calls()
    {
        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync("--namespace", "erie-canal"));
        var role = Assert.Single(objects.OfType<V1ClusterRole>());
        Assert.Equal(
            [
                "/events:create", "/namespaces:get", "/secrets:get", "flomesh.io/clusters/status:patch", "flomesh.io/clusters:get", "flomesh.io/clusters:list",
                "flomesh.io/clusters:watch",
            ],
            Grants(role.Rules));
        Assert.Equal(["kube-system"], Assert.Single(role.Rules, r => r.Resources.Contains("namespaces")).ResourceNames);

        // Orleans' Kubernetes hosting, in the release's namespace: no pod deletion (DeleteDefunctSiloPods is off).
        var pods = Assert.Single(objects.OfType<V1Role>());
        Assert.Equal("erie-canal", pods.Metadata.NamespaceProperty);
        Assert.Equal(["/pods:get", "/pods:list", "/pods:patch", "/pods:watch"], Grants(pods.Rules));
    }

    [Fact]
    public async Task The_members_RBAC_is_what_the_data_plane_and_the_reconciler_call()
    {
        var objects = KubernetesYaml.LoadAllFromString(await Helm.TemplateAsync([.. MemberInstall, "--set", "member.reconcilerAccess.serviceAccount.create=true"]));
        var roles = objects.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        Assert.Equal(
            [
                "/services:list", "/services:watch", "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch", "flomesh.io/serviceexports:get",
                "flomesh.io/serviceexports:list", "flomesh.io/serviceexports:watch", "flomesh.io/serviceimports:list", "flomesh.io/serviceimports:watch",
                "multicluster.x-k8s.io/serviceexports:get", "multicluster.x-k8s.io/serviceexports:list", "multicluster.x-k8s.io/serviceexports:watch",
                "multicluster.x-k8s.io/serviceimports:list", "multicluster.x-k8s.io/serviceimports:watch",
                "networking.k8s.io/ingresses:list", "networking.k8s.io/ingresses:watch",
            ],
            Grants(roles["ec-dataplane"].Rules));

        var access = Grants(roles["ec-reconciler-access"].Rules);
        foreach (var grant in new[]
        {
            "flomesh.io/serviceexports:watch", "flomesh.io/serviceexports/status:patch", "flomesh.io/globaltrafficpolicies:watch", "flomesh.io/serviceimports:create",
            "flomesh.io/serviceimports:patch", "flomesh.io/serviceimports:delete", "flomesh.io/serviceimports/status:patch", "networking.k8s.io/ingresses:patch",
            "networking.k8s.io/ingresses:create", "networking.k8s.io/ingresses:delete", "/namespaces:create", "/namespaces:list", "/configmaps:create", "/events:create",
            "multicluster.x-k8s.io/serviceimports:patch", "multicluster.x-k8s.io/serviceimports:delete", "multicluster.x-k8s.io/serviceimports/status:patch",
            "/services:get", "/services:create", "/services:update", "/services:delete", "discovery.k8s.io/endpointslices:create",
            "discovery.k8s.io/endpointslices:update", "discovery.k8s.io/endpointslices:delete", "/namespaces:get",
        })
        {
            Assert.Contains(grant, access);
        }

        // Nothing the code never calls: no updates of whole objects but the claim, CRD upgrades and the MCS engine's
        // derived Services and slices (replaced with their resourceVersion), no secrets, no pods.
        string[] replaced = ["/configmaps:update", "apiextensions.k8s.io/customresourcedefinitions:update", "/services:update", "discovery.k8s.io/endpointslices:update"];
        Assert.DoesNotContain(access, g => g.EndsWith(":update", StringComparison.Ordinal) && !replaced.Contains(g));
        Assert.DoesNotContain(access, g => g.Contains("/secrets", StringComparison.Ordinal) || g.Contains("/pods", StringComparison.Ordinal));
        Assert.Equal(["erie-canal-orleans-membership"], Assert.Single(roles["ec-reconciler-access"].Rules, r => r.Resources.Contains("configmaps") && r.Verbs.Contains("get")).ResourceNames);

        // The optional reconciler identity: a ServiceAccount with a token Secret, bound to the access role.
        var account = Assert.Single(objects.OfType<V1ServiceAccount>(), a => a.Metadata.Name == "ec-reconciler");
        var token = Assert.Single(objects.OfType<V1Secret>());
        Assert.Equal(("kubernetes.io/service-account-token", account.Metadata.Name), (token.Type, token.Metadata.Annotations["kubernetes.io/service-account.name"]));
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>(), b => b.RoleRef.Name == "ec-reconciler-access");
        Assert.Equal("ec-reconciler", Assert.Single(binding.Subjects).Name);
    }

    /// <summary>Each rule's grants as "group/resource:verb", sorted.</summary>
    private static List<string> Grants(IEnumerable<V1PolicyRule> rules) =>
        rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{g}/{res}:{v}")))).Distinct().Order(StringComparer.Ordinal).ToList();
}
