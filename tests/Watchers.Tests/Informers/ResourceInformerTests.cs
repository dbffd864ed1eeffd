using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Informers;

/// <summary>The informer against a real KubernetesClient and the sandbox, through each kind of trouble.</summary>
public sealed class ResourceInformerTests(ITestOutputHelper output) : SandboxContext
{
    private const string Ns = "app";

    [Fact]
    public async Task The_first_list_delivers_every_object_then_reports_synced()
    {
        var client = await ClientWithNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("a", Ns), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("b", Ns), Ns);

        await using var run = Start(client);
        await run.SyncedAsync();

        var calls = run.Handler.Calls.ToList();
        var synced = calls.IndexOf(("synced", ""));
        Assert.True(calls.IndexOf(("upsert", "a")) is >= 0 and var a && a < synced, "a was delivered before synced");
        Assert.True(calls.IndexOf(("upsert", "b")) is >= 0 and var b && b < synced, "b was delivered before synced");
        Assert.True(run.Has("a") && run.Has("b"));
        Assert.Equal(1, run.Informer.Relists);
        Assert.Null(run.Informer.LastError);
    }

    [Fact]
    public async Task The_watch_delivers_adds_modifications_and_deletes()
    {
        var client = await ClientWithNamespaceAsync();
        await using var run = Start(client);
        await run.SyncedAsync();

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("c", Ns), Ns);
        await Eventually.Until(() => run.Handler.Saw("upsert", "c"), "the add was delivered");

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"2\"}}", V1Patch.PatchType.MergePatch), "c", Ns);
        await Eventually.Until(() => run.Handler.Count("upsert", "c") == 2, "the modification was delivered");
        Assert.Equal("2", run.Informer.Snapshot().Single(o => o.Metadata.Name == "c").Data["key"]);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("c", Ns);
        await Eventually.Until(() => run.Handler.Saw("delete", "c"), "the delete was delivered");
        Assert.False(run.Has("c"));
        Assert.Equal(1, run.Informer.Relists);
    }

    [Fact]
    public async Task Expired_history_makes_it_relist_and_synthesise_deletes_for_what_vanished_unseen()
    {
        var client = await ClientWithNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("keep", Ns), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("doomed", Ns), Ns);
        await using var run = Start(client);
        await run.SyncedAsync();

        // Changed where no watch can see them, then the history that would replay them is compacted away.
        await Cluster.GoOfflineAsync();
        Cluster.Store.Remove("configmaps", Ns, "doomed");
        Cluster.Seed("configmaps", Ns, ConfigMaps.Json("born", Ns));
        Cluster.Store.Compact();
        Cluster.Faults.DropWatches();
        await Cluster.GoOnlineAsync();

        await Eventually.Until(() => run.Handler.Saw("delete", "doomed"), "a delete was synthesised for the vanished object");
        await Eventually.Until(() => run.Handler.Syncs == 2, "the relist reported synced again");
        Assert.Equal(2, run.Informer.Relists);
        Assert.True(run.Handler.Saw("upsert", "born"));
        Assert.Equal(1, run.Handler.Count("upsert", "keep"));
        Assert.Equal(["born", "keep"], run.Informer.Snapshot().Select(o => o.Metadata.Name).Where(n => n is "keep" or "born" or "doomed").Order());
    }

    [Fact]
    public async Task Compaction_after_dropped_watches_leads_to_a_relist()
    {
        var client = await ClientWithNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("doomed", Ns), Ns);
        await using var run = Start(client, RunningInformer<V1ConfigMap>.FastOptions with { Watchdog = TimeSpan.FromSeconds(1) });
        await run.SyncedAsync();

        // Dropped while frozen, the watch cannot be re-established: once the watchdog gives up on the hung
        // re-watch, the informer is certainly not watching, and the removal and compaction go unseen.
        Cluster.Faults.Freeze();
        Cluster.Faults.DropWatches();
        await Eventually.Until(() => run.Informer.LastError is TimeoutException, "the re-watch hung");
        Cluster.Store.Remove("configmaps", Ns, "doomed");
        Cluster.Store.Compact();
        Cluster.Faults.Thaw();

        await Eventually.Until(() => run.Informer.Relists == 2, "the informer relisted");
        await Eventually.Until(() => run.Handler.Saw("delete", "doomed"), "a delete was synthesised");
        Assert.False(run.Has("doomed"));
        Assert.Equal(2, run.Handler.Syncs);
    }

    [Fact]
    public async Task A_burst_of_503s_is_survived_without_relisting()
    {
        var client = await ClientWithNamespaceAsync();

        // The first list meets the burst...
        Cluster.Faults.FailRequests(503, 3);
        await using var run = Start(client);
        await run.SyncedAsync();
        Assert.Equal(1, run.Informer.Relists);
        Assert.Null(run.Informer.LastError);

        // ...and so do the re-watches after the open watch breaks.
        Cluster.Faults.FailRequests(503, 3);
        Cluster.Faults.DropWatches();
        await Eventually.Until(() => Cluster.Faults.Describe()["failRemaining"] is null, "the burst was used up");

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("after-burst", Ns), Ns);
        await Eventually.Until(() => run.Handler.Saw("upsert", "after-burst"), "events flow after the burst");
        await Eventually.Until(() => run.Informer.LastError is null, "the error cleared");
        Assert.Equal(1, run.Informer.Relists);
    }

    [Fact]
    public async Task A_frozen_cluster_trips_the_watchdog_and_events_flow_again_after_thaw()
    {
        var client = await ClientWithNamespaceAsync();
        await using var run = Start(client, RunningInformer<V1ConfigMap>.FastOptions with { Watchdog = TimeSpan.FromSeconds(1) });
        await run.SyncedAsync();

        // Bookmarks come every 200 ms, so a second of silence can only be the hang.
        Cluster.Faults.Freeze();
        Cluster.Seed("configmaps", Ns, ConfigMaps.Json("while-frozen", Ns));
        await Eventually.Until(() => run.Informer.LastError is TimeoutException, "the watchdog tripped");
        Assert.True(run.Informer.Synced);
        Assert.False(run.Handler.Saw("upsert", "while-frozen"));

        Cluster.Faults.Thaw();
        await Eventually.Until(() => run.Handler.Saw("upsert", "while-frozen"), "the change made while frozen arrived");
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("after-thaw", Ns), Ns);
        await Eventually.Until(() => run.Handler.Saw("upsert", "after-thaw"), "events flow after the thaw");
        await Eventually.Until(() => run.Informer.LastError is null, "the error cleared");
        Assert.Equal(1, run.Informer.Relists);
    }

    [Fact]
    public async Task Offline_sets_LastError_keeps_Synced_and_online_catches_up_on_what_changed()
    {
        var client = await ClientWithNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("kept", Ns), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("gone", Ns), Ns);
        await using var run = Start(client);
        await run.SyncedAsync();

        await Cluster.GoOfflineAsync();
        await Eventually.Until(() => run.Informer.LastError is HttpRequestException, "the outage is reported");
        Assert.True(run.Informer.Synced, "a stale cache is still a synced cache");

        Cluster.Seed("configmaps", Ns, ConfigMaps.Json("while-away", Ns));
        Cluster.Store.Update("configmaps", Ns, "kept", o =>
        {
            o["data"] = new JsonObject { ["key"] = "2" };
            return o;
        });
        Cluster.Store.Remove("configmaps", Ns, "gone");

        await Cluster.GoOnlineAsync();
        await Eventually.Until(() => run.Handler.Saw("delete", "gone") && run.Handler.Saw("upsert", "while-away") && run.Handler.Count("upsert", "kept") == 2, "the changes made while offline arrived");
        await Eventually.Until(() => run.Informer.LastError is null, "the error cleared");
        Assert.Equal("2", run.Informer.Snapshot().Single(o => o.Metadata.Name == "kept").Data["key"]);
        Assert.Equal(1, run.Informer.Relists);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_informer_and_gets_the_object_again_on_relist()
    {
        var client = await ClientWithNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("poison", Ns), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("fine", Ns), Ns);
        var handler = new RecordingHandler<V1ConfigMap> { ThrowOnUpsert = o => o.Metadata.Name == "poison" };
        await using var run = Start(client, handler: handler);
        await run.SyncedAsync();
        Assert.True(handler.Saw("upsert", "poison") && handler.Saw("upsert", "fine"));

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMaps.Object("later", Ns), Ns);
        await Eventually.Until(() => handler.Saw("upsert", "later"), "events still flow after the handler threw");

        // A change the informer misses, then compaction: its resourceVersion is now too old.
        await Cluster.GoOfflineAsync();
        Cluster.Seed("configmaps", Ns, ConfigMaps.Json("nudge", Ns));
        Cluster.Store.Compact();
        await Cluster.GoOnlineAsync();
        await Eventually.Until(() => run.Informer.Relists == 2, "the informer relisted");
        await Eventually.Until(() => handler.Syncs == 2, "the relist was delivered");
        Assert.Equal(2, handler.Count("upsert", "poison"));
        Assert.Equal(1, handler.Count("upsert", "fine"));
        Assert.Equal(1, handler.Count("upsert", "later"));
    }

    private async Task<Kubernetes> ClientWithNamespaceAsync()
    {
        var client = Client();
        await client.CoreV1.CreateNamespaceAsync(ConfigMaps.Namespace(Ns));
        return client;
    }

    private RunningInformer<V1ConfigMap> Start(Kubernetes client, InformerOptions? options = null, RecordingHandler<V1ConfigMap>? handler = null) =>
        new(ResourceSources.ConfigMaps(client, "configmaps (all namespaces) on test"), options ?? RunningInformer<V1ConfigMap>.FastOptions, new TestOutputLogger(output), handler);
}
