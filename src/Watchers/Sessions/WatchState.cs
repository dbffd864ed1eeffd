namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// One informer of a member session as the session sees it: synced yet, and the failure it is retrying (null when
/// it is making progress). Written by the informer's loop, read by the session's status loop, which a change wakes.
/// </summary>
public sealed class WatchState(Action changed)
{
    private volatile Exception? _error;
    private volatile bool _synced;

    public bool Synced => _synced;

    public Exception? Error => _error;

    public void MarkSynced()
    {
        _synced = true;
        _error = null;
        changed();
    }

    public void MarkFailed(Exception error)
    {
        _error = error;
        changed();
    }

    public void MarkProgress()
    {
        if (_error is not null)
        {
            _error = null;
            changed();
        }
    }
}
