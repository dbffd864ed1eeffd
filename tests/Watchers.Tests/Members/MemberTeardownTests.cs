using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Sessions;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Members;

/// <summary>
/// A leaving member's teardown, run by the member engine off any grain turn: every export is told (a refused call
/// comes back after its backoff, the others are not told twice), then the writer retires, the member's Ingresses
/// are swept and its claim released. A member that joins again before it is done keeps its claim.
/// </summary>
public sealed class MemberTeardownTests : SandboxContext
{
    private const string Key = "default/default/default/cluster-1";
    private const string Identity = "test-control-plane";

    [Fact]
    public async Task Every_export_is_told_once_the_writer_retires_and_the_member_is_released()
    {
        using var client = Client();
        await MemberClaim.ClaimAsync(client, Identity, Key, CancellationToken.None);
        var grains = new RecordingGrains { RefuseFirst = 2 };
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = await EngineAsync(grains, (_, _) =>
        {
            swept.TrySetResult();
            return Task.CompletedTask;
        });

        engine.Submit(new TearDownMember(Key, "cluster-1", ["shop/a", "shop/b", "shop/c"]));

        await Eventually.Until(ClaimAsync(client), claim => claim is null, "the claim released");
        Assert.True(swept.Task.IsCompleted);
        Assert.Equal(new[] { "a", "b", "c" }.Select(n => $"ExportGrain:{ServiceKeys.Export(Key, "shop", n)}"),
            grains.Calls.Where(c => c.StartsWith("ExportGrain", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(3 + 2, grains.Calls.Count(c => c.StartsWith("ExportGrain", StringComparison.Ordinal)));
        Assert.Single(grains.Calls, c => c == $"Retire:{Key}");

        // The MCS exports are found as the contributors of the MCS services in the directory's index: only the one
        // this member contributes to is told, and the MCS writer retires too.
        Assert.Equal([$"McsExportGrain:{ServiceKeys.Export(Key, "shop", "m1")}"], grains.Calls.Where(c => c.StartsWith("McsExportGrain", StringComparison.Ordinal)));
        Assert.Single(grains.Calls, c => c == $"McsRetire:{Key}");
    }

    [Fact]
    public async Task A_member_that_joins_again_before_its_teardown_is_done_keeps_its_claim()
    {
        using var client = Client();
        await MemberClaim.ClaimAsync(client, Identity, Key, CancellationToken.None);
        var grains = new RecordingGrains { RefuseFirst = int.MaxValue };
        await using var engine = await EngineAsync(grains, (_, _) => Task.CompletedTask);

        engine.Submit(new TearDownMember(Key, "cluster-1", ["shop/a"]));
        await Eventually.Until(() => Task.FromResult(grains.Calls.Count), n => n >= 2, "the export told and refused twice");
        engine.Submit(new MemberJoined(Key));
        grains.RefuseFirst = 0;

        await Eventually.Until(() => Task.FromResult(engine.Pending), n => n == 0, "the engine idle");
        Assert.NotNull(await ClaimAsync(client)());
        Assert.DoesNotContain(grains.Calls, c => c.StartsWith("Retire", StringComparison.Ordinal));
    }

    private Func<Task<V1ConfigMap?>> ClaimAsync(Kubernetes client) => async () =>
        (await client.CoreV1.ListNamespacedConfigMapAsync(MemberClaim.Namespace)).Items.SingleOrDefault(c => c.Metadata.Name == MemberClaim.Name);

    private async Task<MemberEngine> EngineAsync(RecordingGrains grains, IngressSweep sweep)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions
        {
            ControlPlaneId = Identity,
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) },
        });
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        var spec = new ClusterSpec("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 80, Cluster.Kubeconfig(), null, 1, "1");
        await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None);
        return new MemberEngine(grains.Factory, new ControlPlaneConnection(options), credentials, new MemberClients(credentials, options), sweep, options,
            TimeProvider.System, NullLogger<MemberEngine>.Instance);
    }

    /// <summary>Export and writer grains that record their calls; export calls are refused while <see cref="RefuseFirst"/> lasts.</summary>
    private sealed class RecordingGrains
    {
        private readonly ConcurrentQueue<string> _calls = new();
        private int _refuse;

        public RecordingGrains()
        {
            Factory = new FakeGrains(Invoke).Factory;
        }

        public IGrainFactory Factory { get; }

        public int RefuseFirst
        {
            get => Volatile.Read(ref _refuse);
            set => Volatile.Write(ref _refuse, value);
        }

        public IReadOnlyList<string> Calls => [.. _calls];

        private object? Invoke(Type grain, string key, MethodInfo method, object?[] args)
        {
            if (grain == typeof(IServiceExportGrain) && method.Name == nameof(IServiceExportGrain.MemberLeft))
            {
                _calls.Enqueue($"ExportGrain:{key}");
                return Interlocked.Decrement(ref _refuse) >= 0 ? Task.FromException(new TimeoutException("the export grain did not answer")) : Task.CompletedTask;
            }

            if (grain == typeof(IImportWriterGrain) && method.Name == nameof(IImportWriterGrain.Retire))
            {
                _calls.Enqueue($"Retire:{key}");
                return Task.CompletedTask;
            }

            if (grain == typeof(IClusterDirectoryGrain) && method.Name == nameof(IClusterDirectoryGrain.GetServices))
            {
                return Task.FromResult(new Dictionary<string, long>
                {
                    ["shop/a"] = 1,
                    [ServiceKeys.McsIndex("shop/m1")] = 2,
                    [ServiceKeys.McsIndex("shop/m2")] = 3,
                }.ToImmutableDictionary(StringComparer.Ordinal));
            }

            if (grain == typeof(IMcsServiceImportGrain) && method.Name == nameof(IMcsServiceImportGrain.GetContributors))
            {
                return Task.FromResult(key == "shop/m1" ? ImmutableArray.Create(Key, "default/default/default/cluster-2") : ImmutableArray.Create("default/default/default/cluster-2"));
            }

            if (grain == typeof(IMcsServiceExportGrain) && method.Name == nameof(IMcsServiceExportGrain.MemberLeft))
            {
                _calls.Enqueue($"McsExportGrain:{key}");
                return Task.CompletedTask;
            }

            if (grain == typeof(IMcsImportWriterGrain) && method.Name == nameof(IMcsImportWriterGrain.Retire))
            {
                _calls.Enqueue($"McsRetire:{key}");
                return Task.CompletedTask;
            }

            throw new NotSupportedException($"{grain.Name}.{method.Name}");
        }
    }
}
