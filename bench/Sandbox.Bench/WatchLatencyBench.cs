using System.Diagnostics;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>
/// Watch-event delivery latency: many KubernetesClient watches on one namespace's ConfigMaps, all started from
/// the list's resourceVersion, while a writer creates half the events' objects and then replaces each once.
/// Every watcher must see every write; whatever it has not seen by the drain timeout counts as missed.
/// </summary>
public static class WatchLatencyBench
{
    /// <summary>Runs one scenario; <c>rate</c> is writes per second, or null for as fast as the writers go.</summary>
    public static async Task<WatchResult> RunAsync(IKubernetes client, BenchSettings settings, string scenario, int? rate, int writers, CancellationToken cancellationToken)
    {
        var events = settings.WatchEvents;
        var objects = events / 2;
        var ns = await Namespaces.CreateAsync(client, $"bench-watch-{scenario}", cancellationToken);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchers = Enumerable.Range(0, settings.Watchers).Select(_ => new Watcher(events)).ToList();
        var reading = watchers.Select(w => Task.Run(() => w.RunAsync(client, ns, list.Metadata.ResourceVersion, stop.Token), CancellationToken.None)).ToList();
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { ApiVersion = V1ConfigMap.KubeApiVersion, Kind = V1ConfigMap.KubeKind, Metadata = new V1ObjectMeta { Name = Watcher.ReadyName } }, ns, cancellationToken: cancellationToken);
            await Task.WhenAll(watchers.Select(w => w.Ready)).WaitAsync(settings.DrainTimeout, cancellationToken);

            var created = Enumerable.Range(0, objects).Select(_ => new TaskCompletionSource<V1ConfigMap>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var written = new bool[events];
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var start = Stopwatch.GetTimestamp();
            var (elapsed, _, _) = await ConcurrentRunner.RunAsync(events, writers, async seq =>
            {
                if (rate is { } perSecond)
                {
                    var due = TimeSpan.FromSeconds((double)seq / perSecond) - Stopwatch.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }
                }

                if (seq < objects)
                {
                    try
                    {
                        var configMap = new V1ConfigMap { ApiVersion = V1ConfigMap.KubeApiVersion, Kind = V1ConfigMap.KubeKind, Metadata = new V1ObjectMeta { Name = $"cm-{seq}" }, Data = new Dictionary<string, string> { ["value"] = "created" } };
                        Stamp(configMap, seq);
                        created[seq].SetResult(await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: cancellationToken));
                    }
                    catch (Exception ex)
                    {
                        created[seq].SetException(ex);
                        throw;
                    }
                }
                else
                {
                    var configMap = await created[seq - objects].Task;
                    configMap.Data["value"] = "updated";
                    Stamp(configMap, seq);
                    await client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, ns, cancellationToken: cancellationToken);
                }

                written[seq] = true;
            }, cancellationToken);

            var drainStarted = Stopwatch.GetTimestamp();
            try
            {
                await Task.WhenAll(watchers.Select(w => w.Complete)).WaitAsync(settings.DrainTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Whatever is still unseen is reported as missed.
            }

            var drain = Stopwatch.GetElapsedTime(drainStarted);
            var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
            await stop.CancelAsync();
            await Task.WhenAll(reading);

            var missed = watchers.Sum(w => (long)Enumerable.Range(0, events).Count(seq => written[seq] && !w.Saw(seq)));
            var latencies = watchers.SelectMany(w => w.Latencies).ToList();
            return new WatchResult(
                scenario,
                watchers.Count,
                written.Count(w => w),
                events / elapsed.TotalSeconds,
                LatencySummary.From(latencies),
                missed,
                watchers.Sum(w => (long)w.Duplicates),
                watchers.Sum(w => w.Errors),
                drain,
                cpu);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(reading);
        }
    }

    private static void Stamp(V1ConfigMap configMap, int seq)
    {
        configMap.Metadata.Annotations ??= new Dictionary<string, string>();
        configMap.Metadata.Annotations[Annotations.Sequence] = Annotations.Format(seq);
        configMap.Metadata.Annotations[Annotations.SentTicks] = Annotations.Format(Stopwatch.GetTimestamp());
    }
}
