using System.Threading.Channels;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// A de-duplicating work queue for the simulated controllers: a key queued twice before it runs runs once,
/// which is what makes them level-triggered rather than event-counting.
/// </summary>
public sealed class WorkQueue
{
    private readonly Channel<string> _keys = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Action> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Enqueue(string key, Action work)
    {
        lock (_gate)
        {
            var fresh = !_pending.ContainsKey(key);
            _pending[key] = work;
            if (fresh)
            {
                _keys.Writer.TryWrite(key);
            }
        }
    }

    public void EnqueueAfter(TimeSpan delay, string key, Action work, CancellationToken cancellationToken) =>
        _ = Task.Delay(delay, cancellationToken).ContinueWith(t =>
        {
            if (!t.IsCanceled)
            {
                Enqueue(key, work);
            }
        }, TaskScheduler.Default);

    public async Task<Action?> NextAsync(CancellationToken cancellationToken)
    {
        var key = await _keys.Reader.ReadAsync(cancellationToken);
        lock (_gate)
        {
            return _pending.Remove(key, out var work) ? work : null;
        }
    }
}
