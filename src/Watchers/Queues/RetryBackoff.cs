namespace ErieCanal.Orleans.Watchers.Queues;

/// <summary>
/// The retry contract for a loop that retries one thing (one key): the delay after each failure comes from
/// <see cref="RetryOptions.DelayAfter"/>, as a <see cref="KeyedWorkQueue{TKey}"/> key's does; progress resets it.
/// With jitter ("equal jitter": at least half the step, so the delay still grows), many loops failing together do
/// not retry in lockstep. Not thread-safe: one owner (a loop).
/// </summary>
public sealed class RetryBackoff(RetryOptions retry, bool jitter = false)
{
    public int Failures { get; private set; }

    /// <summary>Counts a failure; the delay before the next attempt.</summary>
    public TimeSpan Next()
    {
        var delay = retry.DelayAfter(++Failures);
        return jitter ? delay * (0.5 + (Random.Shared.NextDouble() * 0.5)) : delay;
    }

    public void Reset() => Failures = 0;
}
