using System.Diagnostics;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>
/// One KubernetesClient watch on the scenario's ConfigMaps, from the list's resourceVersion. Records, per
/// benchmark write, the delay between its send timestamp and the moment the client handed the event over.
/// </summary>
public sealed class Watcher(int events)
{
    private readonly bool[] _seen = new bool[events];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _distinct;
    private int _errors;

    public const string ReadyName = "ready";

    /// <summary>Receive minus send time of every benchmark event seen, in milliseconds.</summary>
    public List<double> Latencies { get; } = new(events);

    public int Duplicates { get; private set; }

    public int Errors => Volatile.Read(ref _errors);

    /// <summary>Done once the watch delivered the sentinel object: the stream is open and caught up.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Done once every benchmark write was seen (never, when some write failed: the drain timeout ends it).</summary>
    public Task Complete => _complete.Task;

    public bool Saw(int sequence) => _seen[sequence];

    /// <summary>Reads the watch until cancelled; an early end of the stream counts as an error.</summary>
    public async Task RunAsync(IKubernetes client, string ns, string resourceVersion, CancellationToken cancellationToken)
    {
        try
        {
            var stream = client.CoreV1.WatchListNamespacedConfigMapAsync(
                ns,
                resourceVersion: resourceVersion,
                onError: _ => Interlocked.Increment(ref _errors),
                cancellationToken: cancellationToken);
            await foreach (var (type, configMap) in stream.WithCancellation(cancellationToken))
            {
                var received = Stopwatch.GetTimestamp();
                Record(type, configMap, received);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _errors);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private void Record(WatchEventType type, V1ConfigMap configMap, long received)
    {
        if (type is not (WatchEventType.Added or WatchEventType.Modified))
        {
            return;
        }

        if (configMap.Metadata?.Name == ReadyName)
        {
            _ready.TrySetResult();
            return;
        }

        var annotations = configMap.Metadata?.Annotations;
        if (!Annotations.TryRead(annotations, Annotations.Sequence, out var sequence) || sequence < 0 || sequence >= _seen.Length
            || !Annotations.TryRead(annotations, Annotations.SentTicks, out var sent))
        {
            return;
        }

        if (_seen[sequence])
        {
            Duplicates++;
            return;
        }

        _seen[sequence] = true;
        Latencies.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
        if (++_distinct == _seen.Length)
        {
            _complete.TrySetResult();
        }
    }
}
