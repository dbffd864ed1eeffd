namespace ErieCanal.Orleans.Watchers.Queues;

/// <summary>
/// The one retry contract of every keyed work queue: a failing key is retried after a per-key exponential backoff
/// from <see cref="InitialBackoff"/> up to <see cref="MaxBackoff"/>; a success resets it.
/// </summary>
public sealed record RetryOptions
{
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The delay before retry number <paramref name="failures"/> (1: after the first failure).</summary>
    public TimeSpan DelayAfter(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ms = Math.Min(InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent), MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}
