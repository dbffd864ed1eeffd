using System.Threading.Channels;
using ErieCanal.Orleans.Watchers.Clients;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ErieCanal.Orleans.Watchers.Queues;

/// <summary>
/// The work queue controllers need: keys, not events. A key added while queued runs once (de-duplication, which
/// makes processing level-triggered); a key added while it is being processed runs again afterwards, never
/// concurrently with itself, so an older write can never land after a newer one.
/// <para>
/// The retry contract (<see cref="RunAsync(int, Func{TKey, CancellationToken, Task}, CancellationToken)"/>): the
/// work function throws; the key is added again after its own exponential backoff (<see cref="RetryOptions"/>); a
/// success resets it. The queue logs one line when it starts failing and one when every failing key recovered.
/// </para>
/// </summary>
public class KeyedWorkQueue<TKey>
    where TKey : notnull
{
    private readonly Channel<TKey> _keys = Channel.CreateUnbounded<TKey>();
    private readonly Lock _gate = new();
    private readonly HashSet<TKey> _queued = new();
    private readonly HashSet<TKey> _inflight = new();
    private readonly HashSet<TKey> _again = new();
    private readonly Dictionary<TKey, int> _failures = new();
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private int _failuresSinceHealthy;

    public KeyedWorkQueue()
        : this(new RetryOptions(), TimeProvider.System, NullLogger.Instance, "queue")
    {
    }

    public KeyedWorkQueue(RetryOptions retry, TimeProvider time, ILogger logger, string name)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _retry = retry;
        _time = time;
        _logger = logger;
        _name = name;
    }

    /// <summary>Keys waiting for their backoff to pass (failed last time, not yet succeeded).</summary>
    public int FailingKeys
    {
        get
        {
            lock (_gate)
            {
                return _failures.Count;
            }
        }
    }

    /// <summary>Queued or running keys: zero means the queue is idle (retries waiting for their backoff not counted).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count + _inflight.Count;
            }
        }
    }

    /// <summary>
    /// Raised on a worker when the last queued or running key finished and nothing else is queued (retries waiting
    /// for their backoff not counted), so a consumer can do once per burst what it need not do per key.
    /// </summary>
    public event Action? Idle;

    /// <summary>The delay the next failure of <paramref name="key"/> would wait; the initial backoff for a healthy key.</summary>
    public TimeSpan NextBackoff(TKey key)
    {
        lock (_gate)
        {
            return _retry.DelayAfter(_failures.GetValueOrDefault(key) + 1);
        }
    }

    public void Add(TKey key)
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

    /// <summary>Runs <paramref name="concurrency"/> workers under the retry contract until cancelled or completed.</summary>
    public Task RunAsync(int concurrency, Func<TKey, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        Workers(concurrency, work, (key, ex) => Failed(key, ex, cancellationToken), cancellationToken);

    /// <summary>
    /// The same retry contract, and <paramref name="observeFailure"/> hears of every failure too (for an owner that
    /// reports failures as conditions); the queue still puts the key back after its backoff.
    /// </summary>
    public Task RunAsync(int concurrency, Func<TKey, CancellationToken, Task> work, Action<TKey, Exception> observeFailure, CancellationToken cancellationToken) =>
        Workers(concurrency, work, (key, ex) =>
        {
            observeFailure(key, ex);
            Failed(key, ex, cancellationToken);
        }, cancellationToken);

    public void Complete() => _keys.Writer.TryComplete();

    private Task Workers(int concurrency, Func<TKey, CancellationToken, Task> work, Action<TKey, Exception> onError, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkAsync(work, onError, cancellationToken), CancellationToken.None)));

    private async Task WorkAsync(Func<TKey, CancellationToken, Task> work, Action<TKey, Exception> onError, CancellationToken cancellationToken)
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
                    Succeeded(key);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    onError(key, ex);
                }
                finally
                {
                    bool again;
                    bool idle;
                    lock (_gate)
                    {
                        _inflight.Remove(key);
                        again = _again.Remove(key);
                        idle = !again && _queued.Count == 0 && _inflight.Count == 0;
                    }

                    if (again)
                    {
                        Add(key);
                    }
                    else if (idle)
                    {
                        Idle?.Invoke();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Succeeded(TKey key)
    {
        int recoveredAfter;
        lock (_gate)
        {
            if (!_failures.Remove(key) || _failures.Count > 0)
            {
                return;
            }

            recoveredAfter = _failuresSinceHealthy;
            _failuresSinceHealthy = 0;
        }

        _logger.Recovered(_name, recoveredAfter);
    }

    private void Failed(TKey key, Exception ex, CancellationToken cancellationToken)
    {
        int attempt;
        bool first;
        lock (_gate)
        {
            first = _failures.Count == 0;
            attempt = _failures[key] = _failures.GetValueOrDefault(key) + 1;
            _failuresSinceHealthy++;
        }

        var delay = _retry.DelayAfter(attempt);
        if (first)
        {
            _logger.Failing(_name, key.ToString() ?? "", ApiErrors.Brief(ex));
        }
        else
        {
            _logger.FailedAgain(_name, key.ToString() ?? "", attempt, delay, ApiErrors.Brief(ex));
        }

        _ = RetryAfterAsync(key, delay, cancellationToken);
    }

    private async Task RetryAfterAsync(TKey key, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            Add(key);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>A <see cref="KeyedWorkQueue{TKey}"/> of string keys.</summary>
public sealed class KeyedWorkQueue : KeyedWorkQueue<string>
{
    public KeyedWorkQueue()
    {
    }

    public KeyedWorkQueue(RetryOptions retry, TimeProvider time, ILogger logger, string name)
        : base(retry, time, logger, name)
    {
    }
}
