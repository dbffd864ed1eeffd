namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The kubelet's crash-loop back-off for one container: the first restart is immediate, then the base delay
/// (10 s on a real node) doubling up to 5 minutes; a container that ran 10 minutes starts over.
/// </summary>
public sealed class RestartBackoff(TimeSpan initial)
{
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromMinutes(10);

    private TimeSpan? _next;

    /// <summary>How long to wait before restarting a container that ran for <paramref name="ran"/>.</summary>
    public TimeSpan Next(TimeSpan ran)
    {
        if (ran >= ResetAfter)
        {
            _next = null;
        }

        var delay = _next ?? TimeSpan.Zero;
        _next = _next is { } current ? TimeSpan.FromTicks(Math.Min(current.Ticks * 2, Maximum.Ticks)) : initial;
        return delay;
    }
}
