using System.Threading.Channels;

namespace ErieCanal.Orleans.Watchers.Queues;

/// <summary>
/// The work queue controllers need: keys, not events. A key added while queued runs once (de-duplication, which
/// makes processing level-triggered); a key added while it is being processed runs again afterwards, never
/// concurrently with itself, so an older write can never land after a newer one.
/// </summary>
public sealed class KeyedWorkQueue
{
    private readonly Channel<string> _keys = Channel.CreateUnbounded<string>();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inflight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _again = new(StringComparer.Ordinal);

    public void Add(string key)
    {
        lock (_gate)
        {
            if (!_queued.Add(key))
            {
                return;
            }
        }

        _keys.Writer.TryWrite(key);
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> workers until cancelled or completed. A failing key is reported to
    /// <paramref name="onError"/> (which may add it again to retry) and never stops a worker.
    /// </summary>
    public Task RunAsync(int concurrency, Func<string, CancellationToken, Task> work, Action<string, Exception> onError, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkAsync(work, onError, cancellationToken), CancellationToken.None)));

    public void Complete() => _keys.Writer.TryComplete();

    private async Task WorkAsync(Func<string, CancellationToken, Task> work, Action<string, Exception> onError, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var key in _keys.Reader.ReadAllAsync(cancellationToken))
            {
                lock (_gate)
                {
                    _queued.Remove(key);
                    if (!_inflight.Add(key))
                    {
                        _again.Add(key);
                        continue;
                    }
                }

                try
                {
                    await work(key, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    onError(key, ex);
                }
                finally
                {
                    bool again;
                    lock (_gate)
                    {
                        _inflight.Remove(key);
                        again = _again.Remove(key);
                    }

                    if (again)
                    {
                        Add(key);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
