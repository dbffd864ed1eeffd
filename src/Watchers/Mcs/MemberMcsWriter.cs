using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The silo-local engine that writes one member's MCS imports (plan §4.2): it folds the typed decisions of the
/// member's MCS import writer grain (<see cref="Submit"/>) into what the member must hold per import
/// (<see cref="McsImportTarget"/>), and reconciles each import whole on a keyed queue (key: namespace/name, so one
/// import's steps never run concurrently and keep their order) under the one retry contract: a failure throws and
/// the import comes back after its backoff, its steps being idempotent. The member's client-side proxy, where the
/// derived Services' endpoints point, is read before the first import is written and every
/// <see cref="McsOptions.ProxyRefreshInterval"/> after; a change rewrites every ClusterSetIP import's endpoints.
/// </summary>
public sealed class MemberMcsWriter : IMcsImportWorkSink, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _targets = new(StringComparer.Ordinal);
    private readonly KeyedWorkQueue<string> _queue;
    private readonly KubernetesMemberMcsApi _api;
    private readonly WriterSettings _settings;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private readonly McsOptions _mcs;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _proxyRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private Task _proxyLoop = Task.CompletedTask;
    private McsProxyEndpoints? _proxy;
    private bool _retired;

    public MemberMcsWriter(string clusterKey, KubernetesMemberMcsApi api, WriterSettings settings, McsOptions mcs, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ClusterKey = clusterKey;
        _api = api;
        _settings = settings;
        _mcs = mcs;
        _time = time;
        _logger = logger;
        _queue = new KeyedWorkQueue<string>(settings.Retry, time, logger, $"MCS import engine of {clusterKey}");
    }

    public string ClusterKey { get; }

    /// <summary>Imports with work not carried out yet (retries included).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _targets.Values.Count(e => e.Dirty);
            }
        }
    }

    /// <summary>The Ready reason last written on each import (tests and diagnostics).</summary>
    public IReadOnlyDictionary<string, string> ReadyReasons
    {
        get
        {
            lock (_gate)
            {
                return _targets.Where(t => t.Value.Ready is not null).ToDictionary(t => t.Key, t => t.Value.Ready!, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The member's client-side proxy as last read (null: none found, or not read yet).</summary>
    public McsProxyEndpoints? Proxy
    {
        get
        {
            lock (_gate)
            {
                return _proxy;
            }
        }
    }

    public void Start()
    {
        _proxyLoop = Task.Run(() => RefreshProxyAsync(_stop.Token));
        _running = Task.Run(() => _queue.RunAsync(_settings.Concurrency, WorkAsync, Failed, _stop.Token));
    }

    /// <summary>Completes once every import's work was carried out or failed at least once.</summary>
    public Task WhenSettledAsync()
    {
        lock (_gate)
        {
            if (Settled())
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(waiter);
            return waiter.Task;
        }
    }

    /// <summary>
    /// The member left: takes no more work, lets what was decided settle (bounded), then deletes every MCS object this
    /// system wrote in the member (its ServiceImports with their derived Services and slices). A failure throws.
    /// </summary>
    public async Task RetireAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _retired = true;
        }

        await WhenSettledAsync().WaitAsync(_settings.StopTimeout, _time, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        await _api.RemoveAllAsync(cancellationToken);
    }

    public void Submit(IMcsImportWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var key = $"{work.Namespace}/{work.Name}";
        lock (_gate)
        {
            if (_retired)
            {
                return;
            }

            if (!_targets.TryGetValue(key, out var entry))
            {
                _targets[key] = entry = new Entry(new McsImportTarget(work.Namespace, work.Name, null, null, ImmutableSortedDictionary.Create<string, ImmutableArray<McsSliceIntent>>(StringComparer.Ordinal)));
            }

            var target = entry.Target;
            entry.Target = work switch
            {
                ApplyMcsImport apply => target with { Document = apply.Document },
                DeleteMcsImport => target with { Document = null, Derived = null, Slices = target.Slices.Clear() },
                ApplyMcsDerivedService derived => target with { Derived = derived.Service },
                DeleteMcsDerivedService => target with { Derived = null },
                SyncMcsSlices sync => target with { Slices = target.Slices.SetItem(sync.SourceCluster, sync.Slices.IsDefault ? [] : sync.Slices) },
                _ => target,
            };
            entry.Version++;
            entry.Dirty = true;
            entry.Failing = false;
        }

        _queue.Add(key);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _queue.Complete();
        await Task.WhenAll(_running, _proxyLoop).WaitAsync(_settings.StopTimeout, _time, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    // Level-triggered (ProxyRefresh): a change (or the first read) marks every derived Service's import dirty; a
    // failure keeps the derived Services' endpoints as they were until the proxy can be read again.
    private Task RefreshProxyAsync(CancellationToken cancellationToken) => ProxyRefresh.RunAsync(
        ct => _api.ReadProxyAsync(_mcs.ProxyServiceSelector, ct),
        (proxy, recovered) =>
        {
            List<string> changed;
            lock (_gate)
            {
                changed = Equals(proxy, _proxy) ? [] : [.. _targets.Where(t => t.Value.Target.Derived is not null).Select(t => t.Key)];
                _proxy = proxy;
                foreach (var key in changed)
                {
                    var entry = _targets[key];
                    entry.Version++;
                    (entry.Dirty, entry.Failing) = (true, false);
                }
            }

            if (recovered || changed.Count > 0 || !_proxyRead.Task.IsCompleted)
            {
                McsEngineLog.ProxyFound(_logger, ClusterKey, proxy?.Service ?? "(none)", proxy?.Describe() ?? "", changed.Count);
            }

            changed.ForEach(_queue.Add);
        },
        message => McsEngineLog.ProxyReadFailed(_logger, ClusterKey, message),
        _proxyRead,
        _mcs.ProxyRefreshInterval,
        _time,
        cancellationToken);

    private async Task WorkAsync(string key, CancellationToken cancellationToken)
    {
        // The first write of a derived Service already points at the proxy (bounded: a member whose Services cannot
        // be listed gets its imports anyway, and their endpoints once the proxy is read).
        if (!_proxyRead.Task.IsCompleted)
        {
            await _proxyRead.Task.WaitAsync(_settings.StopTimeout, _time, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        McsImportTarget target;
        McsProxyEndpoints? proxy;
        long version;
        lock (_gate)
        {
            if (!_targets.TryGetValue(key, out var entry) || !entry.Dirty)
            {
                return;
            }

            (target, version, proxy) = (entry.Target, entry.Version, _proxy);
        }

        var ready = await _api.ReconcileAsync(target, proxy, cancellationToken);
        lock (_gate)
        {
            if (_targets.TryGetValue(key, out var entry) && entry.Version == version)
            {
                entry.Dirty = false;
                entry.Ready = ready;

                // A told-empty source is done with once its slices are gone; a removed import is forgotten.
                entry.Target = target with { Slices = target.Slices.RemoveRange(target.Slices.Where(s => s.Value.IsDefaultOrEmpty).Select(s => s.Key)) };
                if (target.Document is null)
                {
                    _targets.Remove(key);
                }
            }

            ReleaseWaiters();
        }
    }

    private void Failed(string key, Exception ex)
    {
        lock (_gate)
        {
            if (_targets.TryGetValue(key, out var entry))
            {
                entry.Failing = true;
            }

            ReleaseWaiters();
        }
    }

    /// <summary>Under the gate.</summary>
    private bool Settled() => _targets.Values.All(e => !e.Dirty || e.Failing);

    /// <summary>Under the gate.</summary>
    private void ReleaseWaiters()
    {
        if (Settled())
        {
            _waiters.ForEach(w => w.TrySetResult());
            _waiters.Clear();
        }
    }

    private sealed class Entry(McsImportTarget target)
    {
        public McsImportTarget Target { get; set; } = target;

        public long Version { get; set; }

        public bool Dirty { get; set; }

        public bool Failing { get; set; }

        public string? Ready { get; set; }
    }
}
