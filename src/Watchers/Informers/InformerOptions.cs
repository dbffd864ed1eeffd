using ErieCanal.Orleans.Watchers.Queues;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>Timing knobs of a <see cref="ResourceInformer{T}"/>.</summary>
public sealed record InformerOptions
{
    /// <summary>The timeoutSeconds sent with each watch; the server ends the watch after it and we re-watch.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>No event nor bookmark for this long means a silent hang: the watch is restarted.</summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Bound on one list call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The informer's retries follow the one retry contract, with these two bounds.</summary>
    public RetryOptions Retry => new() { InitialBackoff = InitialBackoff, MaxBackoff = MaxBackoff };
}
