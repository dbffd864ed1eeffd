using System.Net;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>Watch semantics through KubernetesClient: continuity after list, bookmarks, 410 after compaction.</summary>
public sealed class WatchTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Watch_from_a_list_resourceVersion_sees_every_later_change_exactly_once_in_order()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("cont"));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("before", "cont"), "cont");
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("cont");

        // Changes made after the list but before the watch starts must still be delivered.
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("after-1", "cont"), "cont");
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"2\"}}", V1Patch.PatchType.MergePatch), "before", "cont");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("after-1", "cont");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<(WatchEventType Type, string Name, long Rv)>();
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("cont", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add((type, cm.Metadata.Name, long.Parse(cm.Metadata.ResourceVersion)));
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(
            [(WatchEventType.Added, "after-1"), (WatchEventType.Modified, "before"), (WatchEventType.Deleted, "after-1")],
            seen.Select(s => (s.Type, s.Name)));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Rv < p.Second.Rv), "resourceVersions increase along the watch");
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_the_current_objects()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("initial"));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("one", "initial"), "initial");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("two", "initial"), "initial");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var names = new List<string>();
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("initial", cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Added, type);
            names.AddRange(Objects.OwnNames([cm]));
            if (names.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["one", "two"], names);
    }

    [Fact]
    public async Task Bookmarks_carry_a_resourceVersion_no_older_than_the_last_event()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("bm"));
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("bm");
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("marked", "bm"), "bm");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long? bookmark = null;
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("bm", allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            if (type == WatchEventType.Bookmark)
            {
                bookmark = long.Parse(cm.Metadata.ResourceVersion);
                break;
            }
        }

        Assert.NotNull(bookmark);
        Assert.True(bookmark >= long.Parse(created.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_fails_with_410_Gone()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("gone"));
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("gone");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("c", "gone"), "gone");
        fixture.Cluster.Store.Compact();

        Exception? error = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync("gone", resourceVersion: list.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cts.Token))
        {
            Assert.Fail("no event may be delivered from a compacted resourceVersion");
        }

        var gone = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);

        // A continue token from before the compaction is too old as well.
        for (var i = 0; i < 3; i++)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap($"p{i}", "gone"), "gone");
        }

        var page = await _client.CoreV1.ListNamespacedConfigMapAsync("gone", limit: 1);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("later", "gone"), "gone");
        fixture.Cluster.Store.Compact();
        var expired = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedConfigMapAsync("gone", limit: 1, continueParameter: page.Metadata.ContinueProperty));
        Assert.Equal(HttpStatusCode.Gone, expired.Response.StatusCode);
    }

    [Fact]
    public async Task A_watch_with_timeoutSeconds_ends_by_itself()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("timeout"));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("only", "timeout"), "timeout");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = 0;

        // KubernetesClient reads the first line before handing the stream over, so the watch starts from
        // the current state (one ADDED) and then must end by itself when the server's timeout passes.
        await foreach (var (_, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("timeout", timeoutSeconds: 1, cancellationToken: cts.Token))
        {
            events += Objects.OwnNames([cm]).Count();
        }

        Assert.Equal(1, events);
        Assert.False(cts.IsCancellationRequested, "the server closed the watch, not the test's safety timeout");
    }

    [Fact]
    public async Task Label_selected_watch_reports_an_object_leaving_the_selection_as_deleted()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("leave"));
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("leave");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("m", "leave", new Dictionary<string, string> { ["keep"] = "yes" }), "leave");
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"keep\":\"no\"}}}", V1Patch.PatchType.MergePatch), "m", "leave");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var types = new List<WatchEventType>();
        await foreach (var (type, _) in _client.CoreV1.WatchListNamespacedConfigMapAsync("leave", labelSelector: "keep=yes", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            types.Add(type);
            if (types.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], types);
    }
}
