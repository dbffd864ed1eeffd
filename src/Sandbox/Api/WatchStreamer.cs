using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Printing;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Selectors;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Streams a watch as newline-delimited JSON events: ADDED/MODIFIED/DELETED, BOOKMARK when asked for, and an
/// ERROR event carrying a 410 Status when the requested resourceVersion was compacted away.
/// </summary>
public sealed class WatchStreamer(SandboxCluster cluster)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public async Task StreamAsync(HttpContext context, ResourceType type, string? ns, string? name)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.Kind);
        var bookmarks = ResourceHandler.IsTrue(query["allowWatchBookmarks"]);
        var table = ResourceHandler.WantsTable(context.Request);
        var includeObject = query["includeObject"].FirstOrDefault() ?? "Metadata";
        var timeout = ResourceHandler.ParseInt(query["timeoutSeconds"], "timeoutSeconds") is { } seconds && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : cluster.Options.DefaultWatchTimeout;
        long? from = long.TryParse(query["resourceVersion"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : null;
        if (!string.IsNullOrEmpty(query["resourceVersion"]) && from is null && query["resourceVersion"] != "0")
        {
            throw ApiException.BadRequest($"invalid resource version: \"{query["resourceVersion"]}\"");
        }

        bool Selected(JsonObject? obj) => obj is not null && labels.Matches(obj) && fields.Matches(obj)
            && (name is null || obj["metadata"]?["name"]?.GetValue<string>() == name);

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(context.RequestAborted);

        var initial = new List<JsonObject>();
        WatchSubscription subscription;
        try
        {
            if (from is null)
            {
                var (items, revision) = cluster.Store.List(type.StorageKey, ns);
                initial.AddRange(items.Where(Selected));
                subscription = cluster.Store.Subscribe(type.StorageKey, ns, revision);
            }
            else
            {
                subscription = cluster.Store.Subscribe(type.StorageKey, ns, from);
            }
        }
        catch (ApiException gone) when (gone.Code == 410)
        {
            await WriteEventAsync(context, "ERROR", gone.ToStatus());
            return;
        }

        using var watch = subscription;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, cluster.Faults.WatchesToken);
        lifetime.CancelAfter(timeout);
        var token = lifetime.Token;
        try
        {
            foreach (var obj in initial)
            {
                await cluster.Faults.WaitIfFrozenAsync(token);
                await WriteObjectEventAsync(context, "ADDED", obj, null);
            }

            var lastBookmark = DateTime.UtcNow;
            while (!token.IsCancellationRequested)
            {
                var revision = cluster.Store.Revision;
                var wait = subscription.Reader.WaitToReadAsync(token).AsTask();
                var bookmarkDue = cluster.Options.BookmarkInterval - (DateTime.UtcNow - lastBookmark);
                var finished = bookmarks ? await Task.WhenAny(wait, Task.Delay(bookmarkDue > TimeSpan.Zero ? bookmarkDue : TimeSpan.Zero, token)) : await Task.WhenAny(wait);
                if (finished != wait)
                {
                    if (!subscription.Reader.TryPeek(out _))
                    {
                        await cluster.Faults.WaitIfFrozenAsync(token);
                        await WriteEventAsync(context, "BOOKMARK", new JsonObject
                        {
                            ["kind"] = type.Kind,
                            ["apiVersion"] = type.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
                        });
                    }

                    lastBookmark = DateTime.UtcNow;
                    continue;
                }

                if (!await wait)
                {
                    if (subscription.Dropped)
                    {
                        context.Abort();
                    }

                    return;
                }

                while (subscription.Reader.TryRead(out var e))
                {
                    await cluster.Faults.WaitIfFrozenAsync(token);
                    var now = Selected(e.Object);
                    var before = e.Type == StoreEventType.Modified && Selected(e.Previous);
                    var eventType = e.Type switch
                    {
                        StoreEventType.Added when now => "ADDED",
                        StoreEventType.Deleted when Selected(e.Previous) || now => "DELETED",
                        StoreEventType.Modified when now && before => "MODIFIED",
                        StoreEventType.Modified when now => "ADDED",
                        StoreEventType.Modified when before => "DELETED",
                        _ => null,
                    };
                    if (eventType is not null)
                    {
                        await WriteObjectEventAsync(context, eventType, e.Object, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cluster.Faults.WatchesToken.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // Dropped by the fault injector: end abruptly, as a broken connection would.
            context.Abort();
        }
        catch (OperationCanceledException)
        {
            // Timed out or the client went away: a normal end of a watch.
        }

        async Task WriteObjectEventAsync(HttpContext ctx, string eventType, JsonObject obj, StoreEvent? e)
        {
            if (table)
            {
                var row = TableBuilder.Build(type.Group, type.Kind, type.PrinterColumns, [WithVersion(obj)], null, null, includeObject, cluster.Store.Now);
                await WriteEventAsync(ctx, eventType, row);
            }
            else if (e is not null && obj["apiVersion"]?.GetValue<string>() == type.ApiVersion)
            {
                await WriteRawEventAsync(ctx, eventType, e.ObjectUtf8);
            }
            else
            {
                await WriteEventAsync(ctx, eventType, WithVersion(obj));
            }
        }

        JsonObject WithVersion(JsonObject obj)
        {
            if (obj["apiVersion"]?.GetValue<string>() == type.ApiVersion)
            {
                return obj;
            }

            var copy = JsonTree.Clone(obj);
            copy["apiVersion"] = type.ApiVersion;
            return copy;
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj) =>
        await WriteRawEventAsync(context, type, JsonSerializer.SerializeToUtf8Bytes(obj, JsonWire.SerializerOptions));

    private static async Task WriteRawEventAsync(HttpContext context, string type, byte[] objectUtf8)
    {
        var body = context.Response.Body;
        await body.WriteAsync("{\"type\":\""u8.ToArray(), context.RequestAborted);
        await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(type), context.RequestAborted);
        await body.WriteAsync("\",\"object\":"u8.ToArray(), context.RequestAborted);
        await body.WriteAsync(objectUtf8, context.RequestAborted);
        await body.WriteAsync("}"u8.ToArray(), context.RequestAborted);
        await body.WriteAsync(Newline, context.RequestAborted);
        await body.FlushAsync(context.RequestAborted);
    }
}
