using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Health;

/// <summary>
/// One silo's run of probes of one target: counts consecutive probes with the same result and decides which to
/// report. A report goes out when the result changes and while the streak is still short of the thresholds (so the
/// judging grain sees it cross them without delay), after a report failed, and otherwise only as a keep-alive —
/// a healthy steady state costs one call per keep-alive, not one per probe. Probes may overlap (a slow one must not
/// delay the next): a result older than one already counted is dropped. Thread-safe.
/// </summary>
public sealed class ProbeStreak(string silo, int reportWhileStreakAtMost, TimeSpan keepAlive, TimeSpan freshFor = default)
{
    private readonly Lock _gate = new();
    private long _lastSequence = -1;
    private bool? _ok;
    private int _streak;
    private DateTimeOffset _started;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;
    private bool _resend;

    /// <summary>Counts the probe <paramref name="sequence"/> started at <paramref name="at"/>; returns the report to send, if any.</summary>
    public ProbeReport? Count(long sequence, DateTimeOffset at, ProbeResult result)
    {
        lock (_gate)
        {
            if (sequence <= _lastSequence)
            {
                return null;
            }

            _lastSequence = sequence;
            if (_ok == result.Ok)
            {
                _streak++;
            }
            else
            {
                (_ok, _streak, _started) = (result.Ok, 1, at);
            }

            if (_streak > reportWhileStreakAtMost && !_resend && at - _lastReport < keepAlive)
            {
                return null;
            }

            (_lastReport, _resend) = (at, false);
            return new ProbeReport(silo, at, result.Ok, _streak, _started, result.Failure, result.Detail, freshFor);
        }
    }

    /// <summary>A report did not arrive: the next probe reports again whatever its result.</summary>
    public void ReportFailed()
    {
        lock (_gate)
        {
            _resend = true;
        }
    }
}
