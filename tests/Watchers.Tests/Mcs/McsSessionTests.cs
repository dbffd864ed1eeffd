using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Sessions;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>
/// A member session with MCS on, against a sandbox member: it asks the engine for the member's cluster id, installs
/// the MCS CRDs, watches multicluster.x-k8s.io ServiceExports and sends whole observations (Service, slices, cluster
/// id, derived marker) that follow every change; switched off, it does none of it.
/// </summary>
public sealed class McsSessionTests : SandboxContext
{
    private static readonly RetryOptions FastRetry = new() { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) };
    private readonly ClusterIdentities _identities = new();
    private readonly RecordingEngine _engine;
    private readonly RecordingObserver _observer = new();

    public McsSessionTests() => _engine = new RecordingEngine(_identities);

    [Fact]
    public async Task An_MCS_export_is_observed_whole_and_follows_its_Service_slices_and_cluster_id()
    {
        await using var session = Session(enabled: true);
        session.Start();
        using var client = Client();
        await Eventually.Until(() => Task.FromResult(_engine.Asked.Contains("cluster-1")), "the cluster id asked for");
        await CreateServiceAsync(client, "shop", "web", s =>
        {
            s.Spec.SessionAffinity = "ClientIP";
            s.Spec.InternalTrafficPolicy = "Cluster";
        });
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("shop", "web-x", "web", "10.1.0.5"), "shop");
        await CreateExportAsync(client, "shop", "web");

        var observed = await Eventually.Until(() => Task.FromResult(_observer.Last("shop/web")),
            o => o?.Export is not null && o.Service is not null && o.Slices.Any(s => s.Endpoints.Any(e => e.Addresses.Contains("10.1.0.5"))), "the export observed whole");
        Assert.Equal("ClientIP", observed!.Service!.SessionAffinity);
        Assert.Equal("Cluster", observed.Service.InternalTrafficPolicy);
        Assert.Equal([new McsPort("http", "TCP", 80, null)], observed.Service.Ports.AsEnumerable());
        Assert.Null(observed.DerivedFor);
        Assert.All(_observer.Calls, c => Assert.Equal(Key, c.ClusterKey));

        // The id arrives: the export is observed again with it.
        _identities.Set(Key, new ClusterIdentityResult("cluster-1", true, ClusterIdentityResult.Identified, "created"));
        await Eventually.Until(() => Task.FromResult(_observer.Last("shop/web")?.ClusterId), id => id == "cluster-1", "observed with the id");

        // A slice going and the export going are both told.
        await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("web-x", "shop");
        await Eventually.Until(() => Task.FromResult(_observer.Last("shop/web")), o => o?.Slices.Length == 0, "the slice gone");
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, "shop", McsNames.ServiceExports, "web");
        await Eventually.Until(() => Task.FromResult(_observer.Last("shop/web")), o => o is not null && o.Export is null, "the export withdrawn");
    }

    [Fact]
    public async Task A_derived_Service_is_observed_as_one()
    {
        await using var session = Session(enabled: true);
        session.Start();
        using var client = Client();
        await CreateServiceAsync(client, "shop", "derived-abc", s => s.Metadata.Labels = new Dictionary<string, string> { [McsNames.DerivedForLabel] = "web" });
        await Eventually.Until(async () => (await client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items.Any(c => c.Metadata.Name == McsCrds.Names[0]), "the MCS CRDs installed");
        await CreateExportAsync(client, "shop", "derived-abc");

        await Eventually.Until(() => Task.FromResult(_observer.Last("shop/derived-abc")?.DerivedFor), d => d == "web", "observed as derived");
    }

    [Fact]
    public async Task Switched_off_no_id_is_asked_no_MCS_CRD_installed_and_flomesh_goes_on()
    {
        var sink = new SyncedSink();
        await using var session = Session(enabled: false, sink);
        session.Start();
        using var client = Client();
        await Eventually.Until(() => Task.FromResult(sink.Synced), "connected and synced");

        Assert.Empty(_engine.Asked);
        var crds = await client.ApiextensionsV1.ListCustomResourceDefinitionAsync();
        Assert.DoesNotContain(crds.Items, c => c.Spec.Group == McsNames.Group);
    }

    private const string Key = "default/default/default/cluster-1";

    private MemberSession Session(bool enabled, IMemberSink? sink = null)
    {
        var options = new ErieCanalOptions { ControlPlaneId = "test-control-plane", Retry = FastRetry, ResyncInterval = TimeSpan.FromMinutes(5) };
        options.Mcs.Enabled = enabled;
        var spec = new ClusterSpec("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 80, Cluster.Kubeconfig(), null, 1, "1");
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        return new MemberSession(spec, [], sink ?? new SyncedSink(), credentials, new ControlPlaneConnection(Microsoft.Extensions.Options.Options.Create(options)), options,
            TimeProvider.System, NullLogger.Instance, new McsSessionParts(_engine, _identities, _observer));
    }

    private static async Task CreateServiceAsync(Kubernetes client, string ns, string name, Action<V1Service> edit)
    {
        if (!(await client.CoreV1.ListNamespaceAsync()).Items.Any(n => n.Metadata.Name == ns))
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }] },
        };
        edit(service);
        await client.CoreV1.CreateNamespacedServiceAsync(service, ns);
    }

    private static Task CreateExportAsync(Kubernetes client, string ns, string name) =>
        Eventually.Until(async () =>
        {
            // The session installs the CRD once it connects: until then the create is refused.
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(new McsServiceExportResource
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            }, McsNames.Group, McsNames.Version, ns, McsNames.ServiceExports);
            return true;
        }, created => created, "the MCS export created");

    private static V1EndpointSlice Slice(string ns, string name, string service, string address) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [McsNames.KubernetesServiceNameLabel] = service } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        Endpoints = [new V1Endpoint { Addresses = [address], Conditions = new V1EndpointConditions { Ready = true } }],
    };

    /// <summary>The member engine as a session sees it: records who asked for an id.</summary>
    private sealed class RecordingEngine(ClusterIdentities identities) : IMemberWorkSink
    {
        public ConcurrentQueue<string> Asked { get; } = new();

        public ClusterIdentities Identities => identities;

        public void Submit(MemberWork work)
        {
            if (work is EnsureClusterIdentity ensure)
            {
                Asked.Enqueue(ensure.Name);
            }
        }
    }

    private sealed class RecordingObserver : IMcsExportObserver
    {
        private readonly ConcurrentDictionary<string, McsExportObservation> _last = new(StringComparer.Ordinal);

        public ConcurrentQueue<(string ClusterKey, string ServiceKey)> Calls { get; } = new();

        public McsExportObservation? Last(string serviceKey) => _last.GetValueOrDefault(serviceKey);

        public Task Observe(string clusterKey, string serviceKey, McsExportObservation observation)
        {
            Calls.Enqueue((clusterKey, serviceKey));
            _last[serviceKey] = observation;
            return Task.CompletedTask;
        }
    }

    private sealed class SyncedSink : IMemberSink
    {
        private volatile bool _synced;

        public bool Synced => _synced;

        public Task ReportSession(SessionReport report)
        {
            _synced |= report.Synced;
            return Task.CompletedTask;
        }

        public Task ReportCrds(string sessionId, CrdReport report) => Task.CompletedTask;

        public Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys) => Task.CompletedTask;

        public Task Observe(string serviceKey, ExportObservation observation) => Task.CompletedTask;

        public Task SetPolicy(string @namespace, string name, TrafficPolicySpec? policy) => Task.CompletedTask;

        public Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies) => Task.CompletedTask;
    }
}
