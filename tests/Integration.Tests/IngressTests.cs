using System.Net;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Every valid ServiceExport gets an Ingress <c>svcexp-ing-&lt;name&gt;</c> in its member for the gateway's class; it
/// follows the export's rules, goes when the export is withdrawn or invalid, and comes back when removed by hand.
/// A path another Ingress of the class already claims makes the export Valid=False PathConflict.
/// </summary>
[Collection(ReconcilerCollection.Name)]
public sealed class IngressTests(ReconcilerFixture fixture)
{
    private const string IngressClass = "erie-canal-orleans";

    [Fact]
    public async Task A_valid_export_gets_an_Ingress_that_follows_its_rules_and_comes_back_when_deleted()
    {
        using var c1 = fixture.Client("cluster-1");
        await Workloads.DeployAsync(c1, "ing-life", "web");
        await Workloads.ExportAsync(c1, "ing-life", "web", portNumber: 8080);
        var export = await Eventually.Until(() => Manifests.GetExportAsync(c1, "ing-life", "web"), e => e is not null, "export created");

        var ingress = await Eventually.Until(() => GetIngressAsync(c1, "ing-life", "svcexp-ing-web"), i => i is not null, "Ingress written");
        Assert.Equal(IngressClass, ingress!.Spec.IngressClassName);
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Null(rule.Host);
        var path = Assert.Single(rule.Http.Paths);
        Assert.Equal(("/web", "Prefix", "web", 8080), (path.Path, path.PathType, path.Backend.Service.Name, path.Backend.Service.Port.Number));
        Assert.Equal("erie-canal-orleans", ingress.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.False(ingress.Metadata.Annotations?.ContainsKey("pipy.ingress.kubernetes.io/rewrite-target-from") ?? false);
        var owner = Assert.Single(ingress.Metadata.OwnerReferences);
        Assert.Equal(("ServiceExport", "web", export!.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));

        // The export's rules change: the Ingress follows, with the rewrite annotations now that pathRewrite is set.
        await c1.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(
            """{"spec":{"rules":[{"portNumber":8080,"path":"/web-v2","pathType":"Exact"}],"pathRewrite":{"from":"^/web-v2","to":"/"}}}""", V1Patch.PatchType.MergePatch),
            ServiceExportResource.Group, ServiceExportResource.Version, "ing-life", ServiceExportResource.Plural, "web");
        ingress = await Eventually.Until(() => GetIngressAsync(c1, "ing-life", "svcexp-ing-web"),
            i => i?.Spec.Rules.Single().Http.Paths.Single().Path == "/web-v2", "Ingress follows the rules");
        Assert.Equal("Exact", ingress!.Spec.Rules.Single().Http.Paths.Single().PathType);
        Assert.Equal("^/web-v2", ingress.Metadata.Annotations["pipy.ingress.kubernetes.io/rewrite-target-from"]);
        Assert.Equal("/", ingress.Metadata.Annotations["pipy.ingress.kubernetes.io/rewrite-target-to"]);

        // Deleted by hand: written again. Edited by hand: put back.
        await c1.NetworkingV1.DeleteNamespacedIngressAsync("svcexp-ing-web", "ing-life");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-life", "svcexp-ing-web"), i => i is not null, "Ingress restored after deletion");
        await c1.NetworkingV1.PatchNamespacedIngressAsync(new V1Patch(
            """{"spec":{"rules":[{"http":{"paths":[{"path":"/hijacked","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":8080}}}}]}}]}}""", V1Patch.PatchType.MergePatch),
            "svcexp-ing-web", "ing-life");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-life", "svcexp-ing-web"),
            i => i?.Spec.Rules.Single().Http.Paths.Single().Path == "/web-v2", "Ingress repaired after an edit");
    }

    [Fact]
    public async Task The_Ingress_goes_when_the_export_is_withdrawn_or_becomes_invalid()
    {
        using var c1 = fixture.Client("cluster-1");
        await Workloads.DeployAsync(c1, "ing-withdraw", "api");
        await Workloads.ExportAsync(c1, "ing-withdraw", "api", portNumber: 8080);
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is not null, "Ingress written");

        // The Service goes: the export is invalid (NoService) and its Ingress is removed; it comes back with the Service.
        await c1.CoreV1.DeleteNamespacedServiceAsync("api", "ing-withdraw");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is null, "Ingress removed without a Service");
        await Eventually.Until(() => ValidAsync(c1, "ing-withdraw", "api"), c => c?.Reason == ConditionReasons.NoService, "Valid=False NoService");
        await Workloads.CreateServiceAsync(c1, "ing-withdraw", "api");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is not null, "Ingress back with the Service");

        // The rules name a port the Service lacks: invalid, no Ingress.
        await c1.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"rules":[{"portNumber":9999,"path":"/api","pathType":"Prefix"}]}}""", V1Patch.PatchType.MergePatch),
            ServiceExportResource.Group, ServiceExportResource.Version, "ing-withdraw", ServiceExportResource.Plural, "api");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is null, "Ingress removed for an invalid export");
        await Eventually.Until(() => ValidAsync(c1, "ing-withdraw", "api"), c => c?.Reason == ConditionReasons.NoMatchingPorts, "Valid=False NoMatchingPorts");
        await c1.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"rules":[{"portNumber":8080,"path":"/api","pathType":"Prefix"}]}}""", V1Patch.PatchType.MergePatch),
            ServiceExportResource.Group, ServiceExportResource.Version, "ing-withdraw", ServiceExportResource.Plural, "api");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is not null, "Ingress back once valid");

        // The export is deleted: its Ingress is collected with it.
        await Manifests.DeleteExportAsync(c1, "ing-withdraw", "api");
        await Eventually.Until(() => GetIngressAsync(c1, "ing-withdraw", "svcexp-ing-api"), i => i is null, "Ingress gone with the export");
    }

    [Fact]
    public async Task An_export_without_rules_is_valid_and_says_it_gets_no_Ingress()
    {
        using var c1 = fixture.Client("cluster-1");
        await Workloads.DeployAsync(c1, "ing-norules", "plain");
        await Workloads.ExportAsync(c1, "ing-norules", "plain");
        var valid = await Eventually.Until(() => ValidAsync(c1, "ing-norules", "plain"), c => c?.Status == "True", "Valid=True");
        Assert.Contains("no spec.rules, so no Ingress", valid!.Message, StringComparison.Ordinal);
        Assert.Null(await GetIngressAsync(c1, "ing-norules", "svcexp-ing-plain"));
    }

    [Fact]
    public async Task Deleting_the_export_garbage_collects_its_Ingress_through_the_owner_reference()
    {
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c3, "ing-gc", "orders");
        await Workloads.ExportAsync(c3, "ing-gc", "orders", portNumber: 8080);
        var ingress = await Eventually.Until(() => GetIngressAsync(c3, "ing-gc", "svcexp-ing-orders"), i => i is not null, "Ingress written");

        // Foreground deletion: the API server itself removes the dependents before the owner (no reconciler involved).
        await c3.CustomObjects.DeleteNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, "ing-gc", ServiceExportResource.Plural, "orders",
            propagationPolicy: "Foreground");
        await Eventually.Until(() => GetIngressAsync(c3, "ing-gc", "svcexp-ing-orders"), i => i is null, "Ingress collected");
        await Eventually.Until(() => Manifests.GetExportAsync(c3, "ing-gc", "orders"), e => e is null, "export gone after its dependents");
        Assert.NotNull(ingress);
    }

    [Fact]
    public async Task A_path_claimed_by_another_Ingress_of_the_class_is_a_PathConflict_until_it_goes()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.EnsureNamespaceAsync(c1, "pc-other");
        await CreateForeignIngressAsync(c1, "pc-other", "theirs", "/pc-api", IngressClass);
        await CreateForeignIngressAsync(c1, "pc-other", "another-class", "/pc-api", "some-other-gateway");

        await Workloads.DeployAsync(c1, "pc-mine", "pc-api");
        await Workloads.ExportAsync(c1, "pc-mine", "pc-api", portNumber: 8080);
        var valid = await Eventually.Until(() => ValidAsync(c1, "pc-mine", "pc-api"), c => c?.Reason == ConditionReasons.PathConflict, "Valid=False PathConflict");
        Assert.Equal("False", valid!.Status);
        Assert.Contains("pc-other/theirs", valid.Message, StringComparison.Ordinal);
        Assert.Contains("/pc-api", valid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("another-class", valid.Message, StringComparison.Ordinal);
        await Eventually.Until(() => GetIngressAsync(c1, "pc-mine", "svcexp-ing-pc-api"), i => i is null, "no Ingress for a conflicting export");
        var events = await Eventually.Until(() => c1.CoreV1.ListNamespacedEventAsync("pc-mine", fieldSelector: "involvedObject.name=pc-api,involvedObject.kind=ServiceExport"),
            l => l.Items.Any(e => e.Reason == ConditionReasons.PathConflict), "a PathConflict event");
        Assert.Equal("Warning", events.Items.First(e => e.Reason == ConditionReasons.PathConflict).Type);
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "pc-mine", "pc-api"), i => i is null, "a conflicting export is not imported");

        // The other Ingress goes: the export is valid, gets its Ingress and is imported.
        await c1.NetworkingV1.DeleteNamespacedIngressAsync("theirs", "pc-other");
        await Eventually.Until(() => ValidAsync(c1, "pc-mine", "pc-api"), c => c is { Status: "True", Reason: ConditionReasons.Exported }, "Valid=True once the path is free");
        await Eventually.Until(() => GetIngressAsync(c1, "pc-mine", "svcexp-ing-pc-api"), i => i is not null, "Ingress written once the path is free");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "pc-mine", "pc-api"), i => i is not null, "imported once valid");
    }

    [Fact]
    public async Task Of_two_exports_claiming_one_path_the_older_keeps_it()
    {
        using var c2 = fixture.Client("cluster-2");
        await Workloads.DeployAsync(c2, "pc-first", "shared");
        await Workloads.ExportAsync(c2, "pc-first", "shared", portNumber: 8080);
        await Eventually.Until(() => GetIngressAsync(c2, "pc-first", "svcexp-ing-shared"), i => i is not null, "the older export's Ingress");

        await Workloads.DeployAsync(c2, "pc-second", "shared");
        await Workloads.ExportAsync(c2, "pc-second", "shared", portNumber: 8080);
        var valid = await Eventually.Until(() => ValidAsync(c2, "pc-second", "shared"), c => c?.Reason == ConditionReasons.PathConflict, "the newer export conflicts");
        Assert.Contains("pc-first/svcexp-ing-shared", valid!.Message, StringComparison.Ordinal);
        await Eventually.Until(() => ValidAsync(c2, "pc-first", "shared"), c => c is { Status: "True", Reason: ConditionReasons.Exported }, "the older export stays valid");
        await Eventually.Until(() => GetIngressAsync(c2, "pc-second", "svcexp-ing-shared"), i => i is null, "no Ingress for the newer export");

        // The older export goes: the newer one takes the path.
        await Manifests.DeleteExportAsync(c2, "pc-first", "shared");
        await Eventually.Until(() => GetIngressAsync(c2, "pc-second", "svcexp-ing-shared"), i => i is not null, "the newer export's Ingress");
        await Eventually.Until(() => ValidAsync(c2, "pc-second", "shared"), c => c is { Status: "True", Reason: ConditionReasons.Exported }, "the newer export is valid");
    }

    private static async Task CreateForeignIngressAsync(IKubernetes client, string ns, string name, string path, string ingressClass) =>
        await client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1IngressSpec
            {
                IngressClassName = ingressClass,
                Rules =
                [
                    new V1IngressRule
                    {
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = [new V1HTTPIngressPath { Path = path, PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "elsewhere", Port = new V1ServiceBackendPort { Number = 80 } } } }],
                        },
                    },
                ],
            },
        }, ns);

    private static async Task<Condition?> ValidAsync(IKubernetes client, string ns, string name) =>
        Manifests.ConditionOf((await Manifests.GetExportAsync(client, ns, name))?.Status?.Conditions, ConditionTypes.Valid);

    private static async Task<V1Ingress?> GetIngressAsync(IKubernetes client, string ns, string name)
    {
        try
        {
            return await client.NetworkingV1.ReadNamespacedIngressAsync(name, ns);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
