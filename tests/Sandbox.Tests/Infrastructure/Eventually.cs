using System.Diagnostics;

namespace ErieCanal.Orleans.Sandbox.Tests.Infrastructure;

/// <summary>Waits for a condition with a generous bound instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what}: not reached within {limit.TotalSeconds}s; last value: {last}");
            }

            await Task.Delay(25);
        }
    }

    public static Task Until(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        Until(probe, ok => ok, what, timeout);
}
