using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>The silo's MCS export engines: one per member shared by its grains, stopped after its last holder left and its work settled.</summary>
public sealed class McsExportEnginesTests
{
    [Fact]
    public async Task One_engine_per_member_is_shared_and_its_work_lands_after_the_last_release()
    {
        var api = new RecordingApi();
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions());
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        await using var engines = new McsExportEngines(new MemberClients(credentials, options), options, TimeProvider.System, NullLoggerFactory.Instance) { ApiFactory = _ => api };

        var first = engines.Acquire("r/z/g/m1");
        var second = engines.Acquire("r/z/g/m1");
        Assert.Same(first, second);
        Assert.NotSame(first, engines.Acquire("r/z/g/m2"));

        engines.Release(first);
        second.Submit(new ClearMcsExportConditions("shop", "web"));
        await engines.WhenSettledAsync(second, "shop", "web").WaitAsync(TimeSpan.FromSeconds(60));
        engines.Release(second);

        Assert.Equal(["clear shop/web"], api.Calls.ToArray());

        // Once stopped, the member's next holder gets a new engine.
        await Eventually.Until(() =>
        {
            // Each probe gives its engine back, so a still-settling old one can stop.
            var engine = engines.Acquire("r/z/g/m1");
            engines.Release(engine);
            return !ReferenceEquals(engine, first);
        }, "a new engine after the stop");
    }

    private sealed class RecordingApi : IMemberMcsExportApi
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public Task<ConditionChange> WriteConditionsAsync(WriteMcsExportConditions work, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"write {work.Namespace}/{work.Name}");
            return Task.FromResult(new ConditionChange([], [], false));
        }

        public Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"clear {ns}/{name}");
            return Task.CompletedTask;
        }

        public Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
