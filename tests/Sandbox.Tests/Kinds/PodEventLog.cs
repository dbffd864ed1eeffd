using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>The pod events of one namespace, in the order a KubernetesClient watch delivered them.</summary>
public sealed class PodEventLog : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(WatchEventType Type, string Name, bool Ready, string? Uid)> _events = [];
    private readonly Task _watch;

    private PodEventLog(Kubernetes client, string ns, string resourceVersion)
    {
        _watch = Task.Run(async () =>
        {
            var response = client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(ns, resourceVersion: resourceVersion, watch: true, cancellationToken: _stop.Token);
            try
            {
#pragma warning disable CS0618 // The replacement (ClientSet watch lists) reads the same stream; this one takes a resourceVersion as plainly.
                await foreach (var (type, pod) in response.WatchAsync<V1Pod, V1PodList>(cancellationToken: _stop.Token))
#pragma warning restore CS0618
                {
                    var ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
                    lock (_events)
                    {
                        _events.Add((type, pod.Metadata.Name, ready, pod.Metadata.Uid));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>Watches from the namespace's current resourceVersion, so nothing that happens after this returns is missed.</summary>
    public static async Task<PodEventLog> StartAsync(Kubernetes client, string ns)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns);
        return new PodEventLog(client, ns, list.Metadata.ResourceVersion);
    }

    public IReadOnlyList<(WatchEventType Type, string Name, bool Ready, string? Uid)> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>The position of the first event that satisfies <paramref name="match"/>, or -1.</summary>
    public int IndexOf(Func<(WatchEventType Type, string Name, bool Ready, string? Uid), bool> match) => Events.ToList().FindIndex(e => match(e));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        _stop.Dispose();
    }
}
