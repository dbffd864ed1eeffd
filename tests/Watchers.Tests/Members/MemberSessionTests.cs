using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Sessions;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Members;

/// <summary>
/// A member session against a sandbox member, its grains replaced by a recording sink: it starts only when told,
/// reports connected and synced, feeds an export and records it, retries a failed report after its backoff (never
/// dropped), retries an unreachable member reporting each failure, and a stop hands back what it fed.
/// </summary>
public sealed class MemberSessionTests : SandboxContext
{
    private static readonly RetryOptions FastRetry = new() { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) };

    [Fact]
    public async Task A_started_session_reports_synced_feeds_an_export_records_it_and_hands_it_back_when_stopped()
    {
        var sink = new RecordingSink();
        var session = Session(Cluster.Kubeconfig(), sink, ["shop/gone"]);
        Assert.Empty(sink.Reports);

        session.Start();
        await Eventually.Until(() => Task.FromResult(sink.Reports.Any(r => r.Connected && r.Synced)), synced => synced, "connected and synced");
        Assert.All(sink.Reports, r => Assert.Equal(session.SessionId, r.SessionId));

        // The export the grain recorded but the member no longer has is withdrawn: observed as gone.
        await Eventually.Until(() => Task.FromResult(sink.Observed.TryGetValue("shop/gone", out var o) && o.Export is null), gone => gone, "shop/gone withdrawn");

        using var client = Client();
        await CreateExportAsync(client);
        await Eventually.Until(() => Task.FromResult(sink.Records.LastOrDefault()), r => r is ["shop/web"], "the fed exports recorded");

        // Recorded first (write-ahead), observed after: the observation is waited for, not read at once.
        await Eventually.Until(() => Task.FromResult(sink.Observed.TryGetValue("shop/web", out var o) && o.Export is not null), seen => seen, "shop/web observed");
        Assert.True(session.HasExport("shop/web"));

        await session.StopFeedingAsync();
        Assert.Equal(["shop/web"], session.Fed.AsEnumerable());
        await session.DisposeAsync();
    }

    [Fact]
    public async Task A_new_export_is_recorded_before_its_first_observation_is_sent()
    {
        // Write-ahead: were the silo lost right after the export's contribution, the record lets the next session
        // withdraw it once the export is gone.
        var sink = new RecordingSink();
        await using var session = Session(Cluster.Kubeconfig(), sink);
        session.Start();
        await Eventually.Until(() => Task.FromResult(sink.Reports.Any(r => r.Connected && r.Synced)), synced => synced, "connected and synced");

        using var client = Client();
        await CreateExportAsync(client);
        await Eventually.Until(() => Task.FromResult(sink.Observed.ContainsKey("shop/web")), observed => observed, "shop/web observed");
        Assert.True(sink.RecordedBeforeObserved["shop/web"], "the export was recorded before its observation was sent");
    }

    [Fact]
    public async Task A_report_the_grain_fails_to_take_comes_back_after_its_backoff()
    {
        var sink = new RecordingSink { FailSyncedReports = 3 };
        await using var session = Session(Cluster.Kubeconfig(), sink);
        session.Start();

        await Eventually.Until(() => Task.FromResult(sink.Reports.Any(r => r.Synced)), synced => synced, "the synced report taken after three failures");
        Assert.True(sink.FailSyncedReports < 0, "every refused report was retried");
    }

    [Fact]
    public async Task An_unreachable_member_is_retried_and_each_failure_reported()
    {
        var sink = new RecordingSink();
        var unreachable = Cluster.Kubeconfig().Replace($"127.0.0.1:{Cluster.Port}", "127.0.0.1:1", StringComparison.Ordinal);
        await using var session = Session(unreachable, sink);
        session.Start();

        await Eventually.Until(() => Task.FromResult(sink.Reports.Count(r => r.Reason == ConditionReasons.Unreachable)), n => n >= 3, "three failed attempts reported");
        Assert.DoesNotContain(sink.Reports, r => r.Connected);
    }

    private static MemberSession Session(string kubeconfig, IMemberSink sink, IEnumerable<string>? known = null)
    {
        var options = new ErieCanalOptions { ControlPlaneId = "test-control-plane", Retry = FastRetry, ResyncInterval = TimeSpan.FromMinutes(5) };
        var spec = new ClusterSpec("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 80, kubeconfig, null, 1, "1");
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        return new MemberSession(spec, known ?? [], sink, credentials, new ControlPlaneConnection(Microsoft.Extensions.Options.Options.Create(options)), options,
            TimeProvider.System, NullLogger.Instance);
    }

    private static async Task CreateExportAsync(Kubernetes client)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
        }, "shop");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
            Spec = new ServiceExportSpec { ServiceAccountName = "*" },
        }, ServiceExportResource.Group, ServiceExportResource.Version, "shop", ServiceExportResource.Plural);
    }

    /// <summary>The grains as a session sees them, recording every call; it can refuse the first synced reports.</summary>
    private sealed class RecordingSink : IMemberSink
    {
        private readonly ConcurrentQueue<SessionReport> _reports = new();
        private readonly ConcurrentQueue<ImmutableArray<string>> _records = new();
        private int _failSyncedReports;

        public int FailSyncedReports
        {
            get => Volatile.Read(ref _failSyncedReports);
            init => _failSyncedReports = value;
        }

        public IReadOnlyList<SessionReport> Reports => [.. _reports];

        public IReadOnlyList<ImmutableArray<string>> Records => [.. _records];

        public ConcurrentDictionary<string, ExportObservation> Observed { get; } = new(StringComparer.Ordinal);

        /// <summary>For each export, whether a record holding it had been taken when its first observation arrived.</summary>
        public ConcurrentDictionary<string, bool> RecordedBeforeObserved { get; } = new(StringComparer.Ordinal);

        public Task ReportSession(SessionReport report)
        {
            if (report.Synced && Interlocked.Decrement(ref _failSyncedReports) >= 0)
            {
                throw new InvalidOperationException("the grain is not there");
            }

            _reports.Enqueue(report);
            return Task.CompletedTask;
        }

        public Task ReportCrds(string sessionId, CrdReport report) => Task.CompletedTask;

        public Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys)
        {
            _records.Enqueue(serviceKeys);
            return Task.CompletedTask;
        }

        public Task Observe(string serviceKey, ExportObservation observation)
        {
            RecordedBeforeObserved.TryAdd(serviceKey, _records.Any(r => r.Contains(serviceKey)));
            Observed[serviceKey] = observation;
            return Task.CompletedTask;
        }

        public Task SetPolicy(string @namespace, string name, TrafficPolicySpec? policy) => Task.CompletedTask;

        public Task SyncPolicies(ImmutableDictionary<string, TrafficPolicySpec> policies) => Task.CompletedTask;
    }
}
