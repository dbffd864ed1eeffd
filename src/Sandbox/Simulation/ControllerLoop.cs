using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>A controller of the simulated cluster: it turns committed changes into queued reconciliations.</summary>
public interface IClusterController
{
    void Observe(StoreEvent e, WorkQueue queue);
}

/// <summary>
/// Runs the simulated controllers (workloads, endpoints, garbage collection, namespaces, CRD status) against the
/// store in-process: one subscription to every change, one worker draining a de-duplicating queue.
/// </summary>
public sealed class ControllerLoop(SandboxCluster cluster, IReadOnlyList<IClusterController> controllers) : IAsyncDisposable
{
    private readonly WorkQueue _queue = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _feed;
    private Task? _worker;

    /// <summary>The last failure of a controller, for diagnosis in tests.</summary>
    public Exception? LastError { get; private set; }

    public CancellationToken Stopping => _stop.Token;

    public void Start()
    {
        _feed = Task.Run(FeedAsync);
        _worker = Task.Run(WorkAsync);
    }

    private async Task FeedAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var subscription = cluster.Store.Subscribe(null, null, cluster.Store.Revision, capacity: 1_000_000);
            try
            {
                while (await subscription.Reader.WaitToReadAsync(_stop.Token))
                {
                    while (subscription.Reader.TryRead(out var e))
                    {
                        foreach (var controller in controllers)
                        {
                            controller.Observe(e, _queue);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var work = await _queue.NextAsync(_stop.Token);
                work?.Invoke();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // A simulated controller must never stop the cluster; the next change retries the work.
                LastError = ex;
                await Console.Error.WriteLineAsync($"sandbox {cluster.Name}: controller error: {ex}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _feed, _worker })
        {
            if (task is not null)
            {
                try
                {
                    await task;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _stop.Dispose();
    }
}
