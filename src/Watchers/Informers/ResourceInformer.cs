using System.Collections.Concurrent;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Logging;
using ErieCanal.Orleans.Watchers.Queues;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>
/// Keeps a cache of one kind of object in step with a cluster and tells a handler about every change: list, then
/// watch from the list's resourceVersion; re-watch from the last seen resourceVersion when a watch ends or breaks;
/// relist when that history expired (410), delivering a synthesised delete for whatever vanished meanwhile.
/// </summary>
public sealed class ResourceInformer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceSource<T> _source;
    private readonly IInformerHandler<T> _handler;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);

    // Deliveries the handler threw on: the next relist delivers them again even if the object did not change.
    private readonly HashSet<string> _failedUpserts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, T> _failedDeletes = new(StringComparer.Ordinal);

    // Only the informer's own loop touches it: one warning when failures start, one line when they end.
    private readonly FailureStreak _failures = new();

    private volatile bool _synced;
    private volatile Exception? _lastError;
    private int _relists;
    private bool _mustList = true;
    private string _resourceVersion = "";
    private int _expiredInARow;

    public ResourceInformer(IResourceSource<T> source, IInformerHandler<T> handler, InformerOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _handler = handler;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>True once the first list has been delivered; a later outage does not clear it (the cache is stale, not empty).</summary>
    public bool Synced => _synced;

    /// <summary>The most recent failure, or null once the informer made progress again.</summary>
    public Exception? LastError => _lastError;

    public int Relists => Volatile.Read(ref _relists);

    /// <summary>A copy of the cache, keyed internally by namespace/name.</summary>
    public IReadOnlyCollection<T> Snapshot() => _cache.Values.ToArray();

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; API and transport failures are retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The one retry contract (jittered: a member's informers often fail together); progress resets it.
        var backoff = new RetryBackoff(_options.Retry, jitter: true);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_mustList)
                {
                    await ListAndDeliverAsync(cancellationToken);
                }

                var received = await WatchOnceAsync(backoff, cancellationToken);
                _logger.WatchEnded(_source.Description, _resourceVersion);
                if (!received)
                {
                    // A watch that ended without a single line is odd enough not to be repeated in a tight loop.
                    await DelayAsync(backoff.Next(), cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ResourceExpiredException ex)
            {
                _logger.Expired(_source.Description, ex.Message);
                _mustList = true;

                // Expiring again right after a relist would otherwise hammer the server with lists.
                if (++_expiredInARow > 1)
                {
                    await DelayAsync(backoff.Next(), cancellationToken);
                }
            }
            catch (WatchdogTimeoutException ex)
            {
                _lastError = ex;
                _logger.WatchdogTripped(_source.Description, _options.Watchdog);
                await DelayAsync(backoff.Next(), cancellationToken);
            }
            catch (Exception ex)
            {
                _lastError = ex;
                var delay = backoff.Next();
                if (!_failures.Fail(ex.GetType().FullName ?? ""))
                {
                    _logger.StillFailing(_source.Description, ApiErrors.Brief(ex), delay);
                }
                else if (_mustList)
                {
                    _logger.ListFailed(_source.Description, ApiErrors.Brief(ex));
                }
                else
                {
                    _logger.WatchFailed(_source.Description, _resourceVersion, ApiErrors.Brief(ex));
                }

                await DelayAsync(delay, cancellationToken);
            }
        }

        _logger.Stopped(_source.Description);
    }

    // Cancellation ends the wait quietly; the loop condition then stops the informer.
    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private static string KeyOf(T obj) =>
        string.IsNullOrEmpty(obj.Metadata?.NamespaceProperty) ? obj.Metadata?.Name ?? "" : $"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}";

    private async Task ListAndDeliverAsync(CancellationToken cancellationToken)
    {
        ResourceList<T> list;
        using (var bounded = new CancellationTokenSource(_options.RequestTimeout, _time))
        using (cancellationToken.Register(bounded.Cancel))
        {
            try
            {
                list = await _source.ListAsync(bounded.Token);
            }
            catch (Exception ex) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"listing {_source.Description} took longer than {_options.RequestTimeout}", ex);
            }
        }

        Interlocked.Increment(ref _relists);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var upserts = 0;
        var deletes = 0;
        foreach (var obj in list.Items)
        {
            var key = KeyOf(obj);
            listed.Add(key);
            var changed = !_cache.TryGetValue(key, out var cached)
                || cached.Metadata?.ResourceVersion != obj.Metadata?.ResourceVersion
                || _failedUpserts.Contains(key);
            _cache[key] = obj;
            _failedDeletes.Remove(key);
            if (changed)
            {
                upserts++;
                await DeliverUpsertAsync(key, obj, cancellationToken);
            }
        }

        // Deletes the handler failed on earlier, for objects still gone; before the new ones so none is tried twice.
        foreach (var (key, lastKnown) in _failedDeletes.ToList())
        {
            deletes++;
            await DeliverDeleteAsync(key, lastKnown, cancellationToken);
        }

        // Whatever the cache holds but the list lacks was deleted while no watch was there to see it.
        foreach (var (key, lastKnown) in _cache.Where(p => !listed.Contains(p.Key)).ToList())
        {
            _cache.TryRemove(key, out _);
            _failedUpserts.Remove(key);
            deletes++;
            await DeliverDeleteAsync(key, lastKnown, cancellationToken);
        }

        _resourceVersion = list.ResourceVersion;
        _mustList = false;
        _synced = true;
        _lastError = null;
        if (_failures.Succeed())
        {
            _logger.Recovered(_source.Description);
        }

        _logger.Listed(_source.Description, list.Items.Count, list.ResourceVersion, upserts, deletes);
        try
        {
            await _handler.OnSyncedAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.HandlerFailed(ex, "sync", "*", _source.Description);
        }
    }

    /// <summary>One watch from the last resourceVersion; true when it delivered anything before it ended normally.</summary>
    private async Task<bool> WatchOnceAsync(RetryBackoff backoff, CancellationToken cancellationToken)
    {
        // On the informer's clock: CancelAfter of a source made with a TimeProvider uses its timers.
        using var watchdog = new CancellationTokenSource(_options.Watchdog, _time);
        using var linked = cancellationToken.Register(watchdog.Cancel);
        _logger.WatchStarted(_source.Description, _resourceVersion);
        var received = false;
        try
        {
            await foreach (var e in _source.WatchAsync(_resourceVersion, _options.WatchTimeout, watchdog.Token))
            {
                // Only the server's silence counts against the watchdog, not the time the handler takes.
                watchdog.CancelAfter(Timeout.InfiniteTimeSpan);
                if (!received)
                {
                    received = true;
                    OnProgress(backoff);
                }

                await ApplyAsync(e, cancellationToken);
                watchdog.CancelAfter(_options.Watchdog);
            }
        }
        catch (Exception ex) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is not ResourceExpiredException)
        {
            throw new WatchdogTimeoutException($"no event nor bookmark from {_source.Description} for {_options.Watchdog}", ex);
        }

        return received;
    }

    private void OnProgress(RetryBackoff backoff)
    {
        backoff.Reset();
        _expiredInARow = 0;
        _lastError = null;
        if (_failures.Succeed())
        {
            _logger.Recovered(_source.Description);
        }
    }

    private async Task ApplyAsync(ResourceEvent<T> e, CancellationToken cancellationToken)
    {
        switch (e.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified when e.Object is { } obj:
            {
                var key = KeyOf(obj);
                _cache[key] = obj;
                _failedDeletes.Remove(key);
                await DeliverUpsertAsync(key, obj, cancellationToken);
                break;
            }

            case WatchEventType.Deleted when e.Object is { } gone:
            {
                var key = KeyOf(gone);
                _cache.TryRemove(key, out _);
                _failedUpserts.Remove(key);
                await DeliverDeleteAsync(key, gone, cancellationToken);
                break;
            }
        }

        // Bookmarks only move the resourceVersion forward, so a re-watch skips what was already seen.
        if (!string.IsNullOrEmpty(e.ResourceVersion))
        {
            _resourceVersion = e.ResourceVersion;
        }
    }

    private async Task DeliverUpsertAsync(string key, T obj, CancellationToken cancellationToken)
    {
        try
        {
            await _handler.OnUpsertAsync(obj, cancellationToken);
            _failedUpserts.Remove(key);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _failedUpserts.Add(key);
            _logger.HandlerFailed(ex, "upsert", key, _source.Description);
        }
    }

    private async Task DeliverDeleteAsync(string key, T lastKnown, CancellationToken cancellationToken)
    {
        try
        {
            await _handler.OnDeleteAsync(lastKnown, cancellationToken);
            _failedDeletes.Remove(key);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _failedDeletes[key] = lastKnown;
            _logger.HandlerFailed(ex, "delete", key, _source.Description);
        }
    }
}
