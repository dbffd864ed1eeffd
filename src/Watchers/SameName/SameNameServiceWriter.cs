using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using k8s;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.SameName;

/// <summary>
/// One member's same-name Services (<see cref="SameNameServices"/>), kept level-triggered beside the member's
/// ServiceImport writer: it is told which flomesh.io imports the member holds (<see cref="Want"/>,
/// <see cref="Forget"/>) and reconciles each on a keyed queue under the one retry contract. The member's client-side
/// proxy is read before the first write and every <see cref="McsOptions.ProxyRefreshInterval"/> after; a change
/// rewrites every same-name Service's endpoints.
/// </summary>
public sealed class SameNameServiceWriter : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly KeyedWorkQueue<string> _queue;
    private readonly Func<Task<IKubernetes>> _client;
    private readonly WriterSettings _settings;
    private readonly McsOptions _mcs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ProxyListenerPorts? _listeners;
    private readonly TaskCompletionSource _proxyRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private Task _proxyLoop = Task.CompletedTask;
    private McsProxyEndpoints? _proxy;

    public SameNameServiceWriter(string clusterKey, Func<Task<IKubernetes>> client, WriterSettings settings, McsOptions mcs, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ClusterKey = clusterKey;
        _client = client;
        _settings = settings;
        _mcs = mcs;
        _time = time;
        _logger = logger;
        _queue = new KeyedWorkQueue<string>(settings.Retry, time, logger, $"same-name Services of {clusterKey}");
        _listeners = mcs.ProxyListeners ? ProxyListenerPorts.For(ProxyListeners.FlomeshKind, mcs.ProxyListenerFirstPort, mcs.ProxyListenerLastPort) : null;
    }

    public string ClusterKey { get; }

    /// <summary>Namespace/name of the same-name Services written (or left to a user's Service: <see cref="Taken"/>).</summary>
    public IReadOnlyCollection<string> Written
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Where(e => e.Value.Outcome == SameNameServices.Outcome.Written).Select(e => e.Key)];
            }
        }
    }

    /// <summary>Namespace/name of imports whose name a user's Service holds.</summary>
    public IReadOnlyCollection<string> Taken
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Where(e => e.Value.Outcome == SameNameServices.Outcome.Taken).Select(e => e.Key)];
            }
        }
    }

    public void Start()
    {
        _proxyLoop = Task.Run(() => RefreshProxyAsync(_stop.Token));
        _running = Task.Run(() => _queue.RunAsync(_settings.Concurrency, WorkAsync, _stop.Token));
    }

    /// <summary>The member holds (or is about to hold) the ClusterSetIP import <paramref name="ns"/>/<paramref name="name"/> with these ports.</summary>
    /// <summary>
    /// The import <paramref name="ns"/>/<paramref name="name"/> wants a same-name Service with <paramref name="ports"/>.
    /// <paramref name="fresh"/>: its engine just created the import, so no Service of ours can be there yet (create
    /// first, read only on a conflict); otherwise, as after a restart, read first.
    /// </summary>
    public void Want(string ns, string name, ImmutableArray<McsPort> ports, string? importUid = null, bool fresh = false)
    {
        var key = $"{ns}/{name}";
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Ports is { } held && held.SequenceEqual(ports) && !entry.Dirty && entry.Outcome != SameNameServices.Outcome.NoImport
                && (importUid is null || importUid == entry.ImportUid))
            {
                return;
            }

            entry ??= _entries[key] = new Entry { Fresh = fresh };
            entry.Ports = ports;
            entry.ImportUid = importUid ?? entry.ImportUid;
            entry.Version++;
            entry.Dirty = true;
        }

        _queue.Add(key);
    }

    /// <summary>The import is gone (or is headless): its same-name Service goes, if ours.</summary>
    public void Forget(string ns, string name)
    {
        var key = $"{ns}/{name}";
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry = new Entry();
            }

            entry.Ports = null;
            entry.Version++;
            entry.Dirty = true;
        }

        _queue.Add(key);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _queue.Complete();
        await Task.WhenAll(_running, _proxyLoop).WaitAsync(_settings.StopTimeout, _time, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    // Level-triggered (ProxyRefresh): a change (or the first read) marks every written Service dirty, and a name a
    // user's Service held is looked at again each round (once that Service goes, ours is written).
    private Task RefreshProxyAsync(CancellationToken cancellationToken) => ProxyRefresh.RunAsync(
        async ct => await McsProxySlices.ReadProxyAsync(await _client(), _mcs.ProxyServiceSelector, ct),
        (proxy, recovered) =>
        {
            List<string> changed;
            bool moved;
            lock (_gate)
            {
                moved = !Equals(proxy, _proxy);
                changed = [.. _entries.Where(e => e.Value.Ports is not null && (moved || e.Value.Outcome == SameNameServices.Outcome.Taken)).Select(e => e.Key)];
                _proxy = proxy;
                foreach (var key in changed)
                {
                    _entries[key].Version++;
                    _entries[key].Dirty = true;
                }
            }

            if (recovered || moved || !_proxyRead.Task.IsCompleted)
            {
                _logger.ProxyFound(ClusterKey, proxy?.Service ?? "(none)", proxy?.Describe() ?? "", changed.Count);
            }

            changed.ForEach(_queue.Add);
        },
        message => _logger.ProxyReadFailed(ClusterKey, message),
        _proxyRead,
        _mcs.ProxyRefreshInterval,
        _time,
        cancellationToken);

    private async Task WorkAsync(string key, CancellationToken cancellationToken)
    {
        if (!_proxyRead.Task.IsCompleted)
        {
            await _proxyRead.Task.WaitAsync(_settings.StopTimeout, _time, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        ImmutableArray<McsPort>? ports;
        McsProxyEndpoints? proxy;
        long version;
        string? importUid;
        bool firstTime;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || !entry.Dirty)
            {
                return;
            }

            (ports, proxy, version, importUid, firstTime) = (entry.Ports, _proxy, entry.Version, entry.ImportUid, entry.Fresh && entry.Outcome is null);
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (key[..slash], key[(slash + 1)..]);
        var kube = await _client();
        SameNameServices.Outcome? outcome = null;
        if (ports is { } wanted)
        {
            // A fresh import's Service was never written: create first and read only on a conflict (a user's Service).
            outcome = await SameNameServices.ReconcileAsync(kube, ns, name, wanted, proxy, _listeners, importUid, createFirst: firstTime, cancellationToken);
        }
        else
        {
            await SameNameServices.RemoveAsync(kube, ns, name, _listeners, cancellationToken);
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Version == version)
            {
                if (outcome == SameNameServices.Outcome.Taken && entry.Outcome != SameNameServices.Outcome.Taken)
                {
                    _logger.ServiceTaken(ClusterKey, ns, name);
                }

                entry.Dirty = false;
                entry.Outcome = outcome;
                if (ports is null)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private sealed class Entry
    {
        public ImmutableArray<McsPort>? Ports { get; set; }

        /// <summary>The import's uid as its engine knows it (from the apply's answer or its watch); null: read it.</summary>
        public string? ImportUid { get; set; }

        /// <summary>Its engine created the import: nothing of ours can be there yet.</summary>
        public bool Fresh { get; set; }

        public long Version { get; set; }

        public bool Dirty { get; set; }

        public SameNameServices.Outcome? Outcome { get; set; }
    }
}
