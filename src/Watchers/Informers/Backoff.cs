namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>Exponential backoff with jitter, so many informers failing together do not retry in lockstep.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_attempt++, 30);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);

        // "Equal jitter": at least half the step, so the delay still grows.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    public void Reset() => _attempt = 0;
}
