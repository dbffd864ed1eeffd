namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The level-triggered read of a member's client-side proxy that the engines writing proxy-fronted Services share:
/// read every interval until cancelled; each read is handed over (with whether it follows a failure); a failure keeps
/// what was written and is reported once per distinct message; the first-read signal completes after the first
/// attempt, whatever its outcome.
/// </summary>
internal static class ProxyRefresh
{
    public static async Task RunAsync(
        Func<CancellationToken, Task<McsProxyEndpoints?>> read,
        Action<McsProxyEndpoints?, bool> onRead,
        Action<string> onFailure,
        TaskCompletionSource firstRead,
        TimeSpan interval,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        string? failure = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                onRead(await read(cancellationToken), failure is not null);
                failure = null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (failure != ex.Message)
                {
                    onFailure(ex.Message);
                    failure = ex.Message;
                }
            }
            finally
            {
                firstRead.TrySetResult();
            }

            try
            {
                await Task.Delay(interval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
