using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// One watch of ServiceImports per member, recording the first time each benchmark service's ServiceImport was seen
/// there. A service is visible everywhere at the latest of its members' first sightings.
/// </summary>
public sealed class ImportRecorder : IAsyncDisposable
{
    private const string ReadyName = "ready";
    private readonly Workload _workload;
    private readonly IReadOnlyList<IKubernetes> _members;
    private readonly long[][] _seen;
    private readonly TaskCompletionSource[] _ready;
    private readonly CustomObjectWatch[] _watches;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];

    public ImportRecorder(Workload workload, IReadOnlyList<IKubernetes> members)
    {
        _workload = workload;
        _members = members;
        _seen = members.Select(_ => new long[workload.Count]).ToArray();
        _ready = members.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        _watches = members.Select((client, m) => new CustomObjectWatch(client, ServiceImportResource.Plural, (type, ns, name, at) => Record(m, type, ns, name, at))).ToArray();
    }

    public int WatchErrors => _watches.Sum(w => w.Errors);

    /// <summary>Starts the watches and returns once each has delivered a sentinel ServiceImport created after its list.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _running = _watches.Select(w => Task.Run(() => w.RunAsync(_stop.Token), CancellationToken.None)).ToArray();
        await Task.WhenAll(_watches.Select(w => w.Listed)).WaitAsync(timeout, cancellationToken);
        var ns = _workload.NamespaceNames.First();
        await Task.WhenAll(_members.Select(client => client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = ServiceImportResource.GroupVersion,
            ["kind"] = "ServiceImport",
            ["metadata"] = new JsonObject { ["name"] = ReadyName, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["type"] = "ClusterSetIP", ["ports"] = new JsonArray() },
        }, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, cancellationToken: cancellationToken)));
        await Task.WhenAll(_ready.Select(r => r.Task)).WaitAsync(timeout, cancellationToken);
    }

    /// <summary>When service <paramref name="i"/>'s ServiceImport had been seen in every member, or 0 if not yet.</summary>
    public long SeenEverywhere(int i)
    {
        long latest = 0;
        foreach (var member in _seen)
        {
            var at = Volatile.Read(ref member[i]);
            if (at == 0)
            {
                return 0;
            }

            latest = Math.Max(latest, at);
        }

        return latest;
    }

    /// <summary>How many of services [from, to) are visible everywhere.</summary>
    public int CountEverywhere(int from, int to) => Enumerable.Range(from, to - from).Count(i => SeenEverywhere(i) != 0);

    /// <summary>Waits until services [from, to) are visible everywhere; false when the timeout came first.</summary>
    public async Task<bool> WaitEverywhereAsync(int from, int to, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var next = from;
        while (true)
        {
            while (next < to && SeenEverywhere(next) != 0)
            {
                next++;
            }

            if (next == to)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private void Record(int member, WatchEventType type, string ns, string name, long at)
    {
        if (type is not (WatchEventType.Added or WatchEventType.Modified))
        {
            return;
        }

        if (name == ReadyName)
        {
            _ready[member].TrySetResult();
            return;
        }

        var i = _workload.IndexOf(ns, name);
        if (i >= 0)
        {
            Interlocked.CompareExchange(ref _seen[member][i], at, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
        _stop.Dispose();
    }
}
