namespace ErieCanal.Orleans.Watchers.Logging;

/// <summary>
/// Decides when a retried operation is worth a log line: the first failure of a streak (or a failure of another
/// kind), and the first success after one. Retries in between are not, so an offline member logs one warning when it
/// goes and one line when it is back, not a stack trace per retry. Not thread-safe: one owner (a loop or a grain).
/// </summary>
public sealed class FailureStreak
{
    private string? _kind;

    /// <summary>Consecutive failures so far (0: succeeding).</summary>
    public int Failures { get; private set; }

    public bool Failing => Failures > 0;

    /// <summary>Counts a failure of <paramref name="kind"/> (say, a condition reason); true when it starts a streak or changes its kind.</summary>
    public bool Fail(string kind)
    {
        Failures++;
        var changed = Failures == 1 || !string.Equals(kind, _kind, StringComparison.Ordinal);
        _kind = kind;
        return changed;
    }

    /// <summary>Ends a streak; true when there was one (log the recovery).</summary>
    public bool Succeed()
    {
        var recovered = Failures > 0;
        Failures = 0;
        _kind = null;
        return recovered;
    }
}
