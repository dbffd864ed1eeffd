using k8s;

namespace ErieCanal.Orleans.Integration.Tests.Deployment;

/// <summary>
/// Samples a StatefulSet's pods while it rolls: the order in which pods were replaced (a new uid under the same
/// name) and the most pods unavailable (missing, terminating or not Ready) at any sample.
/// </summary>
internal sealed class RolloutWatch(IKubernetes client, string set, string ns)
{
    private readonly CancellationTokenSource _stop = new();

    public List<string> Replaced { get; } = [];

    public int MaxUnavailable { get; private set; }

    public async Task RunAsync()
    {
        var uids = new Dictionary<string, string>(StringComparer.Ordinal);
        var replicas = 0;
        while (!_stop.IsCancellationRequested)
        {
            var pods = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.Where(p => p.Metadata.Name.StartsWith(set + "-", StringComparison.Ordinal)).ToList();
            replicas = Math.Max(replicas, pods.Count);
            var available = 0;
            foreach (var pod in pods)
            {
                if (uids.TryGetValue(pod.Metadata.Name, out var uid) && uid != pod.Metadata.Uid && !Replaced.Contains(pod.Metadata.Name))
                {
                    Replaced.Add(pod.Metadata.Name);
                }

                uids.TryAdd(pod.Metadata.Name, pod.Metadata.Uid);
                if (pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                {
                    available++;
                }
            }

            MaxUnavailable = Math.Max(MaxUnavailable, replicas - available);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Stop() => _stop.Cancel();
}
