using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>The per-member writer engine against a member in memory: no sandbox, no silo.</summary>
public sealed class MemberImportWriterTests : IAsyncLifetime
{
    private readonly FakeMemberImportApi _api = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly RecordingLogger _logger = new();
    private MemberImportWriter _writer = null!;

    public async Task InitializeAsync()
    {
        var retry = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) };
        _writer = new MemberImportWriter("r/z/g/m1", _api, new WriterSettings(4, retry, TimeSpan.FromSeconds(10)), _clock, _logger);
        _writer.Start();
        var handler = await _api.Watching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await handler.OnSyncedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _writer.DisposeAsync();

    [Fact]
    public async Task Spec_then_routing_is_written_and_repeats_are_not()
    {
        _writer.Submit(Apply("ns", "web", "h1"));
        _writer.Submit(Routing("ns", "web", 1));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "routing patched");
        Assert.Equal(["apply ns/web", "routing ns/web 1"], _api.Calls.ToArray());

        // The same decisions again write nothing: the spec's hash and the routing are already there.
        _writer.Submit(Apply("ns", "web", "h1"));
        _writer.Submit(Routing("ns", "web", 1));
        await Eventually.Until(() => _writer.Pending == 0, "idle");
        Assert.Equal(new WriterCounts(1, 1, 0, 0), _writer.Counts);
    }

    [Fact]
    public async Task A_routing_change_patches_status_only()
    {
        _writer.Submit(Apply("ns", "pay", "h1"));
        _writer.Submit(Routing("ns", "pay", 2));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "written");

        _writer.Submit(Routing("ns", "pay", 1));
        await Eventually.Until(() => _api.CountOf("routing") == 2, "routing patched again");
        Assert.Equal(1, _api.CountOf("apply"));
    }

    [Fact]
    public async Task An_import_the_member_already_holds_with_the_same_hash_is_not_applied_again()
    {
        var handler = await _api.Watching.Task;
        await handler.OnUpsertAsync(Held("ns", "kept", "h7"), CancellationToken.None);

        _writer.Submit(Apply("ns", "kept", "h7"));
        _writer.Submit(Apply("ns", "changed", "h8"));
        await Eventually.Until(() => _api.CountOf("apply") == 1 && _writer.Pending == 0, "one applied");
        Assert.Equal(["apply ns/changed"], _api.Calls.ToArray());
    }

    [Fact]
    public async Task An_import_deleted_or_edited_behind_our_back_is_written_again_from_the_held_decision()
    {
        var handler = await _api.Watching.Task;
        _writer.Submit(Apply("ns", "web", "h1"));
        _writer.Submit(Routing("ns", "web", 1));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "written");
        await handler.OnUpsertAsync(Held("ns", "web", "h1"), CancellationToken.None);

        await handler.OnDeleteAsync(Held("ns", "web", "h1"), CancellationToken.None);
        await Eventually.Until(() => _api.CountOf("apply") == 2 && _api.CountOf("routing") == 2, "recreated with its routing");

        await handler.OnUpsertAsync(Held("ns", "web", "edited"), CancellationToken.None);
        await Eventually.Until(() => _api.CountOf("apply") == 3, "edited spec put back");
        Assert.Equal(2, _api.CountOf("routing"));
        Assert.Contains(_logger.Lines, l => l.Message.Contains("drifted (edited)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_routing_overwritten_behind_our_back_is_patched_again_on_resync()
    {
        var handler = await _api.Watching.Task;
        _writer.Submit(Apply("ns", "web", "h1"));
        _writer.Submit(Routing("ns", "web", 1));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "written");

        // The member shows what was patched: a resync writes nothing.
        await handler.OnUpsertAsync(Held("ns", "web", "h1", Routing("ns", "web", 1).Routing), CancellationToken.None);
        _writer.Resync();
        await Eventually.Until(() => _writer.Pending == 0, "idle");
        Assert.Equal(1, _api.CountOf("routing"));

        // Someone else (a second writer activation during a silo's death) wrote an older routing: patched again.
        await handler.OnUpsertAsync(Held("ns", "web", "h1", Routing("ns", "web", 0).Routing), CancellationToken.None);
        _writer.Resync();
        await Eventually.Until(() => _api.CountOf("routing") == 2, "routing put back");
        Assert.Equal(["apply ns/web", "routing ns/web 1", "routing ns/web 1"], _api.Calls.ToArray());
        Assert.Contains(_logger.Lines, l => l.Message.Contains("drifted (routing changed)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_omitted_routing_writes_nothing_on_a_fresh_import_and_removes_one_the_member_shows()
    {
        // The routing the spec implies: nothing to write where the member shows none.
        var handler = await _api.Watching.Task;
        _writer.Submit(Apply("ns", "plain", "h1"));
        _writer.Submit(Routing("ns", "plain", 0) with { Omitted = true });
        await Eventually.Until(() => _api.CountOf("apply") == 1 && _writer.Pending == 0, "applied");
        Assert.Equal(["apply ns/plain"], _api.Calls.ToArray());

        // A policy makes it say something: written. The policy goes: removed, once.
        _writer.Submit(Routing("ns", "plain", 2));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "written");
        await handler.OnUpsertAsync(Held("ns", "plain", "h1", Routing("ns", "plain", 2).Routing), CancellationToken.None);
        _writer.Submit(Routing("ns", "plain", 0) with { Omitted = true });
        await Eventually.Until(() => _api.CountOf("routing ns/plain removed") == 1, "removed");
        await handler.OnUpsertAsync(Held("ns", "plain", "h1"), CancellationToken.None);
        _writer.Resync();
        await Eventually.Until(() => _writer.Pending == 0, "idle");
        Assert.Equal(["apply ns/plain", "routing ns/plain 2", "routing ns/plain removed"], _api.Calls.ToArray());

        // Someone writes a routing where none belongs: removed again on resync.
        await handler.OnUpsertAsync(Held("ns", "plain", "h1", Routing("ns", "plain", 1).Routing), CancellationToken.None);
        _writer.Resync();
        await Eventually.Until(() => _api.CountOf("routing ns/plain removed") == 2, "removed again");
    }

    [Fact]
    public async Task A_delete_wins_over_pending_work_and_is_not_undone_by_drift()
    {
        var handler = await _api.Watching.Task;
        _writer.Submit(Apply("ns", "gone", "h1"));
        await Eventually.Until(() => _api.CountOf("apply") == 1, "applied");
        _writer.Submit(new DeleteImport("ns", "gone"));
        await Eventually.Until(() => _api.CountOf("delete") == 1, "deleted");

        await handler.OnDeleteAsync(Held("ns", "gone", "h1"), CancellationToken.None);
        await Eventually.Until(() => _writer.Pending == 0, "idle");
        Assert.Equal(1, _api.CountOf("apply"));
    }

    [Fact]
    public async Task Writes_wait_for_an_unreachable_member_with_backoff_and_land_when_it_is_back()
    {
        _api.FailWith = "connection refused";
        _writer.Submit(Apply("ns", "late", "h1"));
        await Eventually.Until(() => _logger.Count(LogLevel.Warning) == 1, "failure logged once");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(2));
        _api.FailWith = null;

        // The retry's timer is set after the failure is logged, so it may start after any one Advance: keep the fake
        // clock moving until the backoff has passed.
        await Eventually.Until(() =>
        {
            _clock.Advance(TimeSpan.FromSeconds(4));
            return _api.CountOf("apply") == 1;
        }, "written once the member is back");
        Assert.Equal(1, _logger.Count(LogLevel.Warning));
    }

    [Fact]
    public async Task Retiring_sweeps_every_import_of_ours_and_takes_no_more_work()
    {
        _writer.Submit(Apply("a", "one", "h1"));
        _writer.Submit(Apply("b", "two", "h2"));
        await Eventually.Until(() => _api.CountOf("apply") == 2, "written");

        await _writer.RetireAsync();
        _writer.Submit(Apply("c", "three", "h3"));
        Assert.Empty(_api.Objects);
        Assert.Equal(2, _api.CountOf("delete"));
        Assert.Equal(2, _api.CountOf("apply"));
    }

    private static ApplyImport Apply(string ns, string name, string hash) =>
        new(ns, name, new ServiceImportResource { Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name } }, hash);

    private static PatchRouting Routing(string ns, string name, int active) =>
        new(ns, name, new Routing(LbTypes.Locality, null, ImmutableArray<RoutePort>.Empty, active, ImmutableArray<string>.Empty));

    private static ServiceImportResource Held(string ns, string name, string hash, Routing? routing = null) => new()
    {
        Status = routing is null ? null : new ServiceImportStatus { Routing = RoutingJson.AsStored(routing).AsObject() },
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = ns,
            Name = name,
            Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
            Annotations = new Dictionary<string, string> { [ServiceImportResource.SpecHashAnnotation] = hash },
        },
    };
}
