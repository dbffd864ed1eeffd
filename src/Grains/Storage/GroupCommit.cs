namespace ErieCanal.Orleans.Grains.Storage;

/// <summary>
/// Group commit for a reentrant grain whose callers must not return before their change is stored: every change
/// bumps a version, one write is in flight at a time, and a caller waits for a write that began after its change.
/// Changes made while a write is in flight share the next write, so a hot grain writes once per store round trip
/// instead of once per call. Each write stores a fresh snapshot, so a turn that changes the live data while the
/// store is still serialising the last one cannot tear it.
/// </summary>
/// <remarks>Not thread-safe: meant for one grain activation, whose turns never run at the same time.</remarks>
public sealed class GroupCommit(Func<CancellationToken, Task> write)
{
    private long _changed;
    private long _written;
    private Task? _writing;

    /// <summary>True while some change has not been stored yet.</summary>
    public bool Unwritten => _written < _changed;

    /// <summary>Counts a change of the live data; the next write stores it.</summary>
    public void Changed() => _changed++;

    /// <summary>Returns once everything changed before the call has been stored (at once when it has been).</summary>
    public async Task PersistAsync(CancellationToken cancellationToken)
    {
        var wanted = _changed;
        while (_written < wanted)
        {
            if (_writing is { } inFlight)
            {
                // Its snapshot may predate our change; either way, look again once it ends. A failure there is its
                // caller's to report: this caller tries a write of its own.
                await Task.WhenAny(inFlight);
                continue;
            }

            var covers = _changed;
            var writing = write(cancellationToken);
            _writing = writing;
            try
            {
                await writing;
                _written = Math.Max(_written, covers);
            }
            finally
            {
                if (ReferenceEquals(_writing, writing))
                {
                    _writing = null;
                }
            }
        }
    }
}
