using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// What a serving member session tells its grains, level-triggered: each kind of report is a key on one
/// single-worker <see cref="KeyedWorkQueue{TKey}"/>, whose work sends the latest state and throws when the call fails,
/// so the key comes back after its backoff (the one retry contract; one log line per failure streak). Informer
/// failures, syncs and recoveries add the <see cref="SessionReportKind.Session"/> key; nothing polls.
/// </summary>
internal sealed class SessionReporter
{
    private readonly string _sessionId;
    private readonly IMemberSink _sink;
    private readonly Func<string, string> _redact;
    private readonly KeyedWorkQueue<SessionReportKind> _queue;
    private IReadOnlyList<WatchState> _watches = [];
    private Action _firstSynced = () => { };
    private (bool Connected, bool Synced, string Reason) _reported;
    private bool _wasSynced;
    private CrdReport? _crds;
    private Func<ImmutableDictionary<string, TrafficPolicySpec>> _policies = () => ImmutableDictionary<string, TrafficPolicySpec>.Empty;
    private Func<ImmutableArray<string>>? _exports;
    private int _exportsChanged;

    public SessionReporter(string sessionId, string memberName, IMemberSink sink, Func<string, string> redact, RetryOptions retry, TimeProvider time, ILogger logger)
    {
        _sessionId = sessionId;
        _sink = sink;
        _redact = redact;
        _queue = new KeyedWorkQueue<SessionReportKind>(retry, time, logger, $"reports of member {memberName}");
    }

    /// <summary>Serves until cancelled: <paramref name="watches"/> decide the session report, <paramref name="exports"/> the record of fed exports.</summary>
    public Task RunAsync(IReadOnlyList<WatchState> watches, Action firstSynced, Func<ImmutableDictionary<string, TrafficPolicySpec>> policies, Func<ImmutableArray<string>> exports, CancellationToken cancellationToken)
    {
        _watches = watches;
        _firstSynced = firstSynced;
        _policies = policies;
        _exports = exports;
        _queue.Add(SessionReportKind.Session);
        _queue.Add(SessionReportKind.Crds);
        return _queue.RunAsync(1, SendAsync, cancellationToken);
    }

    /// <summary>An informer synced, failed or recovered.</summary>
    public void WatchChanged() => _queue.Add(SessionReportKind.Session);

    public void Crds(CrdReport report)
    {
        Volatile.Write(ref _crds, report with { Message = _redact(report.Message) });
        _queue.Add(SessionReportKind.Crds);
    }

    /// <summary>The fed exports changed: recorded when <see cref="FlushExports"/> is next called.</summary>
    public void ExportsChanged() => Interlocked.Exchange(ref _exportsChanged, 1);

    /// <summary>Records the fed exports if they changed (each record carries the whole set, so once per burst is enough).</summary>
    public void FlushExports()
    {
        if (Volatile.Read(ref _exportsChanged) == 1)
        {
            _queue.Add(SessionReportKind.Exports);
        }
    }

    public void SyncPolicies() => _queue.Add(SessionReportKind.Policies);

    private async Task SendAsync(SessionReportKind kind, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case SessionReportKind.Session:
                await ReportSessionAsync();
                break;
            case SessionReportKind.Crds when Volatile.Read(ref _crds) is { } crds:
                await _sink.ReportCrds(_sessionId, crds);
                break;
            case SessionReportKind.Exports when _exports is { } exports && Interlocked.Exchange(ref _exportsChanged, 0) == 1:
                try
                {
                    await _sink.RecordExports(_sessionId, exports());
                }
                catch
                {
                    Interlocked.Exchange(ref _exportsChanged, 1);
                    throw;
                }

                break;
            case SessionReportKind.Policies:
                await _sink.SyncPolicies(_policies());
                break;
        }
    }

    /// <summary>Managed=True only once every watch has synced; a failing watch reports why.</summary>
    private async Task ReportSessionAsync()
    {
        var synced = _watches.All(w => w.Synced);
        if (synced && !_wasSynced)
        {
            _wasSynced = true;
            _firstSynced();
        }

        var error = _watches.Select(w => w.Error).FirstOrDefault(e => e is not null);
        var state = error is null
            ? (Connected: true, Synced: synced, Reason: synced ? ConditionReasons.Connected : ConditionReasons.Connecting)
            : (Connected: false, Synced: synced, Reason: ApiErrors.Describe(error).Reason);
        if (state == _reported)
        {
            return;
        }

        var message = error is null
            ? synced ? "connected; watches of ServiceExports, Services, EndpointSlices, Ingresses and GlobalTrafficPolicies are synced" : "watches are syncing"
            : _redact(ApiErrors.Describe(error).Message);
        await _sink.ReportSession(new SessionReport(_sessionId, state.Connected, state.Synced, state.Reason, message));
        _reported = state;
    }
}

/// <summary>The kinds of report a member session sends its grains, each one key of its reporter's queue.</summary>
internal enum SessionReportKind
{
    Session,
    Crds,
    Exports,
    Policies,
}
