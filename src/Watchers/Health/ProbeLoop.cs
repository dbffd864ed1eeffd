using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Health;

/// <summary>
/// Probes one target on its own schedule, so a slow or blackholed target never delays another's probes. A probe
/// starts every interval even while earlier ones still wait for their timeout, up to <c>maxInFlight</c>: so a
/// blackhole is counted once per interval rather than once per timeout, and a slow target never gathers more than
/// that many probes (nor their connections). An interval whose probe cannot start because that many still wait, the
/// oldest past its timeout, counts as the failure <c>busy</c> describes (bunched ticks of a starved timer, with the
/// waiting probes still in time, are skipped). A probe that yields no result (null: it could not tell, say the
/// transport failed where another probe owns that verdict) is not counted.
/// </summary>
public sealed class ProbeLoop : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<ProbeResult?>> _probe;
    private readonly Func<ProbeResult> _busy;
    private readonly Func<ProbeReport, Task> _report;
    private readonly Action<Exception> _reportFailed;
    private readonly ProbeStreak _streak;
    private readonly TimeSpan _interval;
    private readonly int _maxInFlight;
    private readonly TimeSpan _timeout;
    private readonly List<DateTimeOffset> _started = [];
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private Task _run = Task.CompletedTask;

    public ProbeLoop(
        TimeSpan interval,
        int maxInFlight,
        TimeSpan timeout,
        ProbeStreak streak,
        Func<CancellationToken, Task<ProbeResult?>> probe,
        Func<ProbeResult> busy,
        Func<ProbeReport, Task> report,
        Action<Exception> reportFailed,
        TimeProvider time,
        CancellationToken stopping)
    {
        (_interval, _maxInFlight, _timeout, _streak, _probe, _busy, _report, _reportFailed, _time) = (interval, maxInFlight, timeout, streak, probe, busy, report, reportFailed, time);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>Starts probing; the owner starts a loop once it holds it, so a disposal always finds the loop it stops.</summary>
    public ProbeLoop Start()
    {
        _run = Task.Run(() => RunAsync(_stop.Token));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Spread the loops of many targets (and silos) over the interval instead of probing in bursts.
            await Task.Delay(_interval * Random.Shared.NextDouble(), _time, cancellationToken);
            using var timer = new PeriodicTimer(_interval, _time);
            long sequence = 0;
            do
            {
                var now = _time.GetUtcNow();
                bool start, overdue;
                lock (_started)
                {
                    start = _started.Count < _maxInFlight;
                    overdue = !start && now - _started.Min() >= _timeout;
                    if (start)
                    {
                        _started.Add(now);
                    }
                }

                if (start)
                {
                    _ = ProbeOnceAsync(++sequence, now, cancellationToken);
                }
                else if (overdue)
                {
                    // The oldest waiting probe is past its timeout: as good as a failure.
                    _ = CountAsync(++sequence, now, _busy(), cancellationToken);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeOnceAsync(long sequence, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ProbeResult? result;
        try
        {
            result = await _probe(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            // The probe is done once it has its result: a slow report must not make the next interval busy.
            lock (_started)
            {
                _started.Remove(at);
            }
        }

        if (result is not null)
        {
            await CountAsync(sequence, at, result, cancellationToken);
        }
    }

    /// <summary>Counts a probe's result in the streak and reports it when the streak says so.</summary>
    private async Task CountAsync(long sequence, DateTimeOffset at, ProbeResult result, CancellationToken cancellationToken)
    {
        try
        {
            if (_streak.Count(sequence, at, result) is not { } report)
            {
                return;
            }

            await _sending.WaitAsync(cancellationToken);
            try
            {
                await _report(report);
            }
            finally
            {
                _sending.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _streak.ReportFailed();
            _reportFailed(ex);
        }
    }
}
