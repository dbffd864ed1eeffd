using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The silo-local engine that owns one member's multicluster.x-k8s.io ServiceExport conditions (Valid, Ready,
/// Conflict) and their Events. It takes typed decisions from the MCS export grains (<see cref="Submit"/>), keeps the
/// newest per export, and carries them out on a keyed queue under the one retry contract (the write throws, the key
/// comes back after its backoff). A write that changed a condition's state is told as an Event on the export, once
/// per transition, never per retry. It never touches grain state.
/// </summary>
public sealed class MemberMcsExportWriter : IMcsExportWorkSink, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ExportKey, IMcsExportWork> _work = [];
    private readonly HashSet<ExportKey> _failing = [];
    private readonly List<Waiter> _waiters = [];
    private readonly KeyedWorkQueue<ExportKey> _queue;
    private readonly IMemberMcsExportApi _api;
    private readonly WriterSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private bool _stopped;

    public MemberMcsExportWriter(string clusterKey, IMemberMcsExportApi api, WriterSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ClusterKey = clusterKey;
        _api = api;
        _settings = settings;
        _time = time;
        _logger = logger;
        _queue = new KeyedWorkQueue<ExportKey>(settings.Retry, time, logger, $"MCS export engine of {clusterKey}");
    }

    public string ClusterKey { get; }

    /// <summary>Work decided and not done yet, retries waiting for their backoff included.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _work.Count;
            }
        }
    }

    /// <summary>Starts the workers, off any caller's scheduler.</summary>
    public void Start() => _running = Task.Run(() => _queue.RunAsync(_settings.Concurrency, WorkAsync, Failed, _stop.Token));

    public void Submit(IMcsExportWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var key = new ExportKey(work.Namespace, work.Name);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _work[key] = work;
            _failing.Remove(key);
        }

        _queue.Add(key);
    }

    /// <summary>Completes once the work decided so far for the export was done or failed at least once.</summary>
    public Task WhenSettledAsync(string ns, string name) => Wait(new Waiter(ns, name, new(TaskCreationOptions.RunContinuationsAsynchronously)));

    /// <summary>The same for every export of the member.</summary>
    public Task WhenSettledAsync() => Wait(new Waiter(null, null, new(TaskCreationOptions.RunContinuationsAsynchronously)));

    /// <summary>Stops the workers; writes in flight are cancelled and awaited (bounded), work not done is dropped.</summary>
    public Task StopAsync() => Task.Run(StopCoreAsync);

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopCoreAsync()
    {
        List<Waiter> waiters;
        int pending;
        lock (_gate)
        {
            _stopped = true;
            pending = _work.Count;
            _work.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        if (pending > 0)
        {
            _logger.McsExportStoppedWithWork(ClusterKey, pending);
        }

        waiters.ForEach(w => w.Done.TrySetResult());
        await _stop.CancelAsync();
        _queue.Complete();
        await _running.WaitAsync(_settings.StopTimeout, _time, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private Task Wait(Waiter waiter)
    {
        lock (_gate)
        {
            if (_stopped || Settled(waiter))
            {
                return Task.CompletedTask;
            }

            _waiters.Add(waiter);
        }

        return waiter.Done.Task;
    }

    private async Task WorkAsync(ExportKey key, CancellationToken cancellationToken)
    {
        IMcsExportWork? work;
        lock (_gate)
        {
            _work.TryGetValue(key, out work);
        }

        if (work is null)
        {
            return;
        }

        try
        {
            await DoAsync(work, cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The export, or its namespace, is gone: its deletion is on its way and nothing is left to write.
        }

        lock (_gate)
        {
            // Newer work decided meanwhile stays: the queue runs the key again.
            if (_work.TryGetValue(key, out var now) && ReferenceEquals(now, work))
            {
                _work.Remove(key);
            }

            _failing.Remove(key);
            ReleaseWaiters();
        }
    }

    private void Failed(ExportKey key, Exception ex)
    {
        lock (_gate)
        {
            _failing.Add(key);
            ReleaseWaiters();
        }
    }

    private async Task DoAsync(IMcsExportWork work, CancellationToken cancellationToken)
    {
        switch (work)
        {
            case WriteMcsExportConditions conditions:
                var change = await _api.WriteConditionsAsync(conditions, cancellationToken);
                if (change.Written)
                {
                    await RecordTransitionsAsync(conditions, change.Before, change.After, cancellationToken);
                }

                break;
            case ClearMcsExportConditions clear:
                await _api.ClearConditionsAsync(clear.Namespace, clear.Name, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// An Event for each condition that changed state, so <c>kubectl describe serviceexports.multicluster.x-k8s.io</c>
    /// tells the story: a Warning when it turned bad (Valid not True, Ready False, Conflict True), Normal otherwise; a
    /// condition first set in its good (or pending) state is no news.
    /// </summary>
    private async Task RecordTransitionsAsync(WriteMcsExportConditions work, IReadOnlyList<Condition> before, IReadOnlyList<Condition> after, CancellationToken cancellationToken)
    {
        foreach (var condition in after)
        {
            var previous = before.FirstOrDefault(c => c.Type == condition.Type);
            if (previous?.Status == condition.Status && previous.Reason == condition.Reason)
            {
                continue;
            }

            var warning = condition.Type switch
            {
                McsNames.Conditions.Valid => condition.Status != McsCondition.True,
                McsNames.Conditions.Ready => condition.Status == McsCondition.False,
                _ => condition.Status == McsCondition.True,
            };
            if (warning || previous is not null)
            {
                await RecordEventAsync(work.Namespace, work.Name, work.Uid, warning, condition.Reason, condition.Message, cancellationToken);
            }
        }
    }

    /// <summary>Best effort and once: the state is what matters, and a retried Event would tell the story twice.</summary>
    private async Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await _api.RecordEventAsync(ns, name, uid, warning, reason, message, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.McsExportEventFailed(ClusterKey, ns, name, reason, ex.Message);
        }
    }

    /// <summary>Completes the waiters whose exports have nothing left but failing work (under the gate).</summary>
    private void ReleaseWaiters()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (Settled(_waiters[i]))
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private bool Settled(Waiter waiter) =>
        _work.Keys.All(k => _failing.Contains(k) || (waiter.Namespace is not null && (k.Namespace != waiter.Namespace || k.Name != waiter.Name)));

    private readonly record struct ExportKey(string Namespace, string Name)
    {
        public override string ToString() => $"{Namespace}/{Name} (multicluster.x-k8s.io conditions)";
    }

    private sealed record Waiter(string? Namespace, string? Name, TaskCompletionSource Done);
}
