using System.Diagnostics;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// A plain KubernetesClient list-then-watch of one flomesh.io/v1alpha1 kind in all namespaces of one cluster, handing
/// each object's namespace and name to a callback with the <see cref="Stopwatch"/> time it arrived. Existing objects
/// are delivered as ADDED from the list; a watch that ends is resumed from the last resourceVersion, and one whose
/// history expired (410) is listed again. Only metadata is read from each event.
/// </summary>
public sealed class CustomObjectWatch(IKubernetes client, string plural, Action<WatchEventType, string, string, long> onEvent)
{
    private const string Group = "flomesh.io";
    private const string Version = "v1alpha1";
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _errors;

    /// <summary>Done once the first list was delivered; the watch follows from its resourceVersion.</summary>
    public Task Listed => _listed.Task;

    /// <summary>Watches that ended or failed before being cancelled (each was resumed).</summary>
    public int Errors => Volatile.Read(ref _errors);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await ListAsync(cancellationToken);
                var stream = client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
                    Group, Version, plural, resourceVersion: resourceVersion, timeoutSeconds: 3600, onError: _ => Interlocked.Increment(ref _errors), cancellationToken: cancellationToken);
                await foreach (var (type, obj) in stream.WithCancellation(cancellationToken))
                {
                    var received = Stopwatch.GetTimestamp();
                    if (type == WatchEventType.Error)
                    {
                        // An error event (410 Gone among them): start again from a fresh list.
                        resourceVersion = null;
                        break;
                    }

                    var metadata = ((JsonElement)obj).GetProperty("metadata");
                    resourceVersion = metadata.GetProperty("resourceVersion").GetString() ?? resourceVersion;
                    if (type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    onEvent(type, metadata.GetProperty("namespace").GetString() ?? "", metadata.GetProperty("name").GetString() ?? "", received);
                }

                Interlocked.Increment(ref _errors);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                Interlocked.Increment(ref _errors);
                resourceVersion = null;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _errors);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var raw = await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Version, plural, cancellationToken: cancellationToken);
        var received = Stopwatch.GetTimestamp();
        var list = raw is JsonElement element ? element : JsonSerializer.SerializeToElement(raw);
        foreach (var item in list.GetProperty("items").EnumerateArray())
        {
            var metadata = item.GetProperty("metadata");
            onEvent(WatchEventType.Added, metadata.GetProperty("namespace").GetString() ?? "", metadata.GetProperty("name").GetString() ?? "", received);
        }

        _listed.TrySetResult();
        return list.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? "";
    }
}
