using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>The drift watch alone: what the member holds, and which keys go back to the queue. No engine, no member.</summary>
public sealed class ImportDriftWatchTests
{
    private static readonly WorkKey Web = new(WorkTarget.ServiceImport, "ns", "web");
    private readonly HeldDecisions _decisions = new();
    private readonly ConcurrentQueue<WorkKey> _requeued = new();
    private readonly ConcurrentQueue<WorkKey> _lost = new();
    private readonly RecordingLogger _logger = new();
    private readonly ImportDriftWatch _watch;

    public ImportDriftWatchTests()
    {
        _watch = new ImportDriftWatch("r/z/g/m1", _decisions, _requeued.Enqueue, _lost.Enqueue, _logger);
    }

    [Fact]
    public async Task Imports_not_managed_by_this_system_are_not_watched()
    {
        var foreign = Held("web", "h1");
        foreign.Metadata.Labels.Clear();
        await _watch.OnUpsertAsync(foreign, CancellationToken.None);

        Assert.Empty(_watch.PresentKeys());
        Assert.Null(_watch.View(Web));
    }

    [Fact]
    public async Task An_edit_is_drift_only_once_synced_and_only_for_a_held_spec()
    {
        _decisions.Hold(Apply("web", "h1"));
        await _watch.OnUpsertAsync(Held("web", "edited"), CancellationToken.None);
        Assert.Empty(_requeued);

        await _watch.OnSyncedAsync(CancellationToken.None);
        Assert.Equal([Web], _requeued);
        await _watch.OnUpsertAsync(Held("web", "edited again"), CancellationToken.None);
        Assert.Equal([Web, Web], _requeued);
        await _watch.OnUpsertAsync(Held("other", "h9"), CancellationToken.None);
        Assert.Equal(2, _requeued.Count);
        Assert.Equal(["ns/other", "ns/web"], _watch.PresentKeys().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_deleted_import_is_lost_and_written_again_only_when_wanted()
    {
        await _watch.OnSyncedAsync(CancellationToken.None);
        await _watch.OnUpsertAsync(Held("web", "h1"), CancellationToken.None);
        await _watch.OnDeleteAsync(Held("web", "h1"), CancellationToken.None);
        Assert.Equal([Web], _lost);
        Assert.Empty(_requeued);

        _decisions.Hold(Apply("web", "h1"));
        await _watch.OnDeleteAsync(Held("web", "h1"), CancellationToken.None);
        Assert.Equal([Web], _requeued);
        Assert.Contains(_logger.Lines, l => l.Message.Contains("drifted (deleted)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resync_queues_a_held_spec_the_member_lacks_and_a_patched_routing_it_no_longer_shows_once()
    {
        await _watch.OnSyncedAsync(CancellationToken.None);
        _decisions.Hold(Apply("web", "h1"));
        _decisions.Hold(Routing("web", 1));
        _watch.Resync();
        Assert.Equal([Web], _requeued);

        // The spec and routing landed and the member shows them: nothing to do.
        _watch.Applied(Web, "h1", null);
        _watch.Patched(Web, Routing("web", 1).Routing);
        await _watch.OnUpsertAsync(Held("web", "h1", Routing("web", 1).Routing), CancellationToken.None);
        Assert.Equal(Routing("web", 1).Routing, _watch.View(Web)?.Patched);
        _watch.Resync();
        Assert.Single(_requeued);

        // Someone wrote another routing: queued once, and what was patched is no longer believed.
        await _watch.OnUpsertAsync(Held("web", "h1", Routing("web", 0).Routing), CancellationToken.None);
        _watch.Resync();
        _watch.Resync();
        Assert.Equal([Web, Web], _requeued);
        Assert.Null(_watch.View(Web)?.Patched);
    }

    [Fact]
    public void A_routing_patched_on_an_import_the_member_does_not_hold_is_not_remembered()
    {
        // The watch saw it deleted while the patch was in flight: the recreated import must get its routing again.
        _watch.Patched(Web, Routing("web", 1).Routing);
        Assert.Null(_watch.View(Web));

        _watch.Applied(Web, "h1", null);
        _watch.Forget(Web);
        Assert.Empty(_watch.PresentKeys());
    }

    private static ApplyImport Apply(string name, string hash) =>
        new("ns", name, new ServiceImportResource { Metadata = new V1ObjectMeta { NamespaceProperty = "ns", Name = name } }, hash);

    private static PatchRouting Routing(string name, int active) =>
        new("ns", name, new Routing(LbTypes.Locality, null, ImmutableArray<RoutePort>.Empty, active, ImmutableArray<string>.Empty));

    private static ServiceImportResource Held(string name, string hash, Routing? routing = null) => new()
    {
        Status = routing is null ? null : new ServiceImportStatus { Routing = RoutingJson.AsStored(routing).AsObject() },
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = "ns",
            Name = name,
            Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
            Annotations = new Dictionary<string, string> { [ServiceImportResource.SpecHashAnnotation] = hash },
        },
    };
}
