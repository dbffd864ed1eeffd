using System.Threading.Channels;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>Coalesces bursts of changes into one pending wake-up, so a rebuild never queues behind itself.</summary>
public sealed class ChangeSignal
{
    private readonly Channel<bool> _pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Raise() => _pending.Writer.TryWrite(true);

    /// <summary>Waits for the next raise (or takes one pending since the last wait); the caller checks what changed.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _pending.Reader.ReadAsync(cancellationToken);

    /// <summary>Calls <paramref name="rebuild"/> once now and once after every (coalesced) change until cancelled.</summary>
    public async Task RunAsync(Func<Task> rebuild, Action<Exception> failed, CancellationToken cancellationToken)
    {
        Raise();
        try
        {
            while (await _pending.Reader.WaitToReadAsync(cancellationToken))
            {
                _pending.Reader.TryRead(out _);
                try
                {
                    await rebuild();
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
