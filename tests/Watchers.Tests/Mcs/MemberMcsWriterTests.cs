using System.Collections.Immutable;
using System.Text.Json;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>
/// The MCS import engine against a sandbox member with the upstream CRDs: a ClusterSetIP import is applied with its
/// derived Service (selectorless, owned by the import) and carries the Service's cluster IPs and families in order,
/// status.clusters and Ready; each source's slices are written with the MCS labels and owner and removed when the
/// source goes; a Service of the derived name that is not ours is never adopted; a removed import takes its own along.
/// </summary>
public sealed class MemberMcsWriterTests : SandboxContext
{
    private const string Ns = "shop";
    private static readonly string Derived = McsNames.DerivedName(Ns, "web");

    [Fact]
    public async Task A_ClusterSetIP_import_gets_its_derived_Service_ips_slices_and_status_and_goes_whole()
    {
        using var client = Client();
        await InstallCrdsAsync(client);
        await using var writer = Writer(client);

        writer.Submit(new ApplyMcsImport(Ns, "web", Document(), "h1"));
        writer.Submit(new ApplyMcsDerivedService(Ns, "web", DerivedService(), "d1"));
        writer.Submit(new SyncMcsSlices(Ns, "web", "cluster-1", [Slice("cluster-1", "10.1.0.5")]));

        var import = await Eventually.Until(() => ImportAsync(client), i => i is not null && i.Value.TryGetProperty("status", out var s) && s.TryGetProperty("conditions", out _)
            && i.Value.GetProperty("spec").TryGetProperty("ips", out _), "the import written with its ips and status");
        var service = await client.CoreV1.ReadNamespacedServiceAsync(Derived, Ns);
        var spec = import!.Value.GetProperty("spec");
        Assert.Equal("ClusterSetIP", spec.GetProperty("type").GetString());
        Assert.Equal(service.Spec.ClusterIPs.Take(2), spec.GetProperty("ips").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(service.Spec.IpFamilies, spec.GetProperty("ipFamilies").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("cluster-1", import.Value.GetProperty("status").GetProperty("clusters")[0].GetProperty("cluster").GetString());
        var ready = import.Value.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Ready");
        Assert.Equal(("True", "Ready"), (ready.GetProperty("status").GetString(), ready.GetProperty("reason").GetString()));

        var uid = import.Value.GetProperty("metadata").GetProperty("uid").GetString();
        Assert.Null(service.Spec.Selector);
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal((uid, true), (service.Metadata.OwnerReferences.Single().Uid, service.Metadata.OwnerReferences.Single().Controller == true));

        var slice = await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("web-cluster-1-abc", Ns);
        Assert.Equal(("web", "cluster-1", McsNames.ManagedBy), (slice.Metadata.Labels[McsNames.ServiceNameLabel], slice.Metadata.Labels[McsNames.SourceClusterLabel], slice.Metadata.Labels[McsNames.ManagedByLabel]));
        Assert.Equal(uid, slice.Metadata.OwnerReferences.Single().Uid);
        Assert.Equal(["10.1.0.5"], slice.Endpoints.Single().Addresses.AsEnumerable());

        // The source leaves: its slices go. The import goes: its derived Service and the rest go with it.
        writer.Submit(new SyncMcsSlices(Ns, "web", "cluster-1", []));
        await Eventually.Until(async () => (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns)).Items.Count == 0, "the source's slices removed");
        writer.Submit(new DeleteMcsImport(Ns, "web"));
        await Eventually.Until(async () => await ImportAsync(client) is null && !(await client.CoreV1.ListNamespacedServiceAsync(Ns)).Items.Any(), "the import and its Service gone");
    }

    [Fact]
    public async Task The_derived_Service_points_at_the_members_proxy_and_follows_it()
    {
        using var client = Client();
        await InstallCrdsAsync(client);
        await PublishProxyAsync(client, "127.0.0.77", 15001);
        await using var writer = Writer(client);

        writer.Submit(new ApplyMcsImport(Ns, "web", Document(), "h1"));
        writer.Submit(new ApplyMcsDerivedService(Ns, "web", DerivedService(), "d1"));

        var slice = await Eventually.Until(() => ProxySliceAsync(client), s => s is not null, "the derived Service's proxy slice");
        var import = await ImportAsync(client);
        Assert.Equal((Derived, McsNames.ManagedBy), (slice!.Metadata.Labels[McsNames.KubernetesServiceNameLabel], slice.Metadata.Labels[McsNames.ManagedByLabel]));
        Assert.False(slice.Metadata.Labels.ContainsKey(McsNames.ServiceNameLabel));
        Assert.Equal(import!.Value.GetProperty("metadata").GetProperty("uid").GetString(), slice.Metadata.OwnerReferences.Single().Uid);
        Assert.Equal(["127.0.0.77"], slice.Endpoints.Single().Addresses.AsEnumerable());
        Assert.Equal(("http", 15001, "TCP"), (slice.Ports.Single().Name, slice.Ports.Single().Port!.Value, slice.Ports.Single().Protocol));
        Assert.Equal("erie-canal-system/erie-canal-orleans-proxy", writer.Proxy?.Service);

        // A new proxy pod (address and port): the slice follows on the next read.
        await PublishProxyAsync(client, "127.0.0.78", 15002);
        slice = await Eventually.Until(() => ProxySliceAsync(client), s => s?.Endpoints.Single().Addresses.Single() == "127.0.0.78", "the slice following the proxy");
        Assert.Equal(15002, slice!.Ports.Single().Port);

        // No proxy left: the slice goes (no endpoints rather than a stale address).
        await client.CoreV1.DeleteNamespacedServiceAsync("erie-canal-orleans-proxy", "erie-canal-system");
        await Eventually.Until(() => ProxySliceAsync(client), s => s is null, "the slice removed with the proxy");

        // Back, then the import goes: the slice goes with it.
        await PublishProxyAsync(client, "127.0.0.79", 15003);
        await Eventually.Until(() => ProxySliceAsync(client), s => s?.Endpoints.Single().Addresses.Single() == "127.0.0.79", "the slice back with the proxy");
        writer.Submit(new DeleteMcsImport(Ns, "web"));
        await Eventually.Until(() => ProxySliceAsync(client), s => s is null, "the slice removed with the import");
    }

    [Fact]
    public async Task A_user_Service_of_the_derived_name_gets_no_proxy_endpoints()
    {
        using var client = Client();
        await InstallCrdsAsync(client);
        await PublishProxyAsync(client, "127.0.0.77", 15001);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = Derived, NamespaceProperty = Ns },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 9999 }] },
        }, Ns);
        await using var writer = Writer(client);

        writer.Submit(new ApplyMcsImport(Ns, "web", Document(), "h1"));
        writer.Submit(new ApplyMcsDerivedService(Ns, "web", DerivedService(), "d1"));

        await Eventually.Until(() => Task.FromResult(writer.ReadyReasons.GetValueOrDefault("shop/web")), r => r == McsNames.Reasons.DerivedServiceTaken, "Ready=False DerivedServiceTaken");
        Assert.NotNull(writer.Proxy);
        Assert.Null(await ProxySliceAsync(client));
    }

    [Fact]
    public async Task A_Service_of_the_derived_name_that_is_not_ours_is_never_adopted()
    {
        using var client = Client();
        await InstallCrdsAsync(client);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = Derived, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["owner"] = "user" } },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "mine" }, Ports = [new V1ServicePort { Port = 9999 }] },
        }, Ns);
        await using var writer = Writer(client);

        writer.Submit(new ApplyMcsImport(Ns, "web", Document(), "h1"));
        writer.Submit(new ApplyMcsDerivedService(Ns, "web", DerivedService(), "d1"));

        await Eventually.Until(() => Task.FromResult(writer.ReadyReasons.GetValueOrDefault("shop/web")), r => r == McsNames.Reasons.DerivedServiceTaken, "Ready=False DerivedServiceTaken");
        var user = await client.CoreV1.ReadNamespacedServiceAsync(Derived, Ns);
        Assert.Equal(9999, user.Spec.Ports.Single().Port);
        Assert.Equal("mine", user.Spec.Selector["app"]);
        Assert.Null(user.Metadata.OwnerReferences);

        // Removing the import leaves the user's Service alone.
        writer.Submit(new DeleteMcsImport(Ns, "web"));
        await Eventually.Until(async () => await ImportAsync(client) is null, "the import gone");
        Assert.NotNull(await client.CoreV1.ReadNamespacedServiceAsync(Derived, Ns));
    }

    [Fact]
    public async Task A_retired_engine_removes_every_MCS_object_it_wrote_and_takes_no_more_work()
    {
        using var client = Client();
        await InstallCrdsAsync(client);
        await using var writer = Writer(client);
        var labels = McsMap.From(new Dictionary<string, string> { [McsNames.AppManagedByLabel] = McsNames.AppManagedBy });
        writer.Submit(new ApplyMcsImport(Ns, "web", Document() with { Labels = labels }, "h1"));
        writer.Submit(new ApplyMcsDerivedService(Ns, "web", DerivedService(), "d1"));
        writer.Submit(new SyncMcsSlices(Ns, "web", "cluster-1", [Slice("cluster-1", "10.1.0.5")]));
        await Eventually.Until(async () => (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns)).Items.Count == 1 && await ImportAsync(client) is not null, "written");
        await writer.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(60));

        await writer.RetireAsync(CancellationToken.None);

        Assert.Null(await ImportAsync(client));
        Assert.Empty((await client.CoreV1.ListNamespacedServiceAsync(Ns)).Items);
        Assert.Empty((await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns)).Items);
        writer.Submit(new ApplyMcsImport(Ns, "web", Document(), "h2"));
        Assert.Equal(0, writer.Pending);
    }

    private static McsServiceImportDocument Document() => new(Ns, "web", McsNames.ImportTypes.ClusterSetIp, [new McsPort("http", "TCP", 80, null)], "None", null, null, null,
        ["IPv4"], McsMap.Empty, McsMap.From(new Dictionary<string, string> { [McsNames.DerivedServiceAnnotation] = Derived }), ["cluster-1"]);

    private static McsDerivedService DerivedService() => new(Ns, Derived, "web", [new McsPort("http", "TCP", 80, null)], "None", null, null,
        McsMap.From(new Dictionary<string, string> { [McsNames.ServiceNameLabel] = "web", [McsNames.DerivedForLabel] = "web" }));

    private static McsSliceIntent Slice(string source, string address) => new($"web-{source}-abc", source,
        McsMap.From(new Dictionary<string, string> { [McsNames.ServiceNameLabel] = "web", [McsNames.SourceClusterLabel] = source, [McsNames.ManagedByLabel] = McsNames.ManagedBy }),
        new McsEndpointSlice("IPv4", [new McsSlicePort("http", "TCP", 8080, null)], [new McsEndpoint([address], null, true, true, false, null, null)]), "hash-1");

    private readonly RecordingLogger _logger = new();

    private MemberMcsWriter Writer(Kubernetes client)
    {
        var retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) };
        var writer = new MemberMcsWriter("r/z/g/m1", new KubernetesMemberMcsApi(() => Task.FromResult<IKubernetes>(client), TimeProvider.System),
            new WriterSettings(4, retry, TimeSpan.FromSeconds(10)), new McsOptions { ProxyRefreshInterval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System, _logger);
        writer.Start();
        return writer;
    }

    // The chart's proxy Service as a member holds it: labelled, its endpoints in a slice of its own.
    private static async Task PublishProxyAsync(Kubernetes client, string address, int port)
    {
        const string ns = "erie-canal-system", name = "erie-canal-orleans-proxy";
        if ((await client.CoreV1.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != ns))
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        if ((await client.CoreV1.ListNamespacedServiceAsync(ns)).Items.All(s => s.Metadata.Name != name))
        {
            await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "erie-canal-orleans", ["app.kubernetes.io/component"] = "proxy" } },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = "http" }] },
            }, ns);
        }

        foreach (var old in (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns)).Items)
        {
            await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(old.Metadata.Name, ns);
        }

        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { GenerateName = name + "-", NamespaceProperty = ns, Labels = new Dictionary<string, string> { [McsNames.KubernetesServiceNameLabel] = name } },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port, Protocol = "TCP" }],
            Endpoints = [new V1Endpoint { Addresses = [address], Conditions = new V1EndpointConditions { Ready = true } }],
        }, ns);
    }

    private static async Task<V1EndpointSlice?> ProxySliceAsync(Kubernetes client) =>
        (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns)).Items.SingleOrDefault(s => s.Metadata.Name == Derived + "-proxy");

    private static async Task InstallCrdsAsync(Kubernetes client)
    {
        foreach (var name in McsCrds.Names)
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CrdManifests.Get(name));
        }
    }

    private static async Task<JsonElement?> ImportAsync(Kubernetes client)
    {
        try
        {
            return (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, Ns, McsNames.ServiceImports, "web");
        }
        catch (Exception ex) when (ErieCanal.Orleans.Watchers.Clients.ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }
}
