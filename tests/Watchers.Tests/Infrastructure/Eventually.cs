using System.Diagnostics;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>Waits for a condition with a generous bound instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what}: not reached within {limit.TotalSeconds}s");
            }

            await Task.Delay(20);
        }
    }
}
