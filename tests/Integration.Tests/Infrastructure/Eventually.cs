using System.Diagnostics;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>Waits for a condition with a generous bound instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        T last = default!;
        while (true)
        {
            try
            {
                last = await probe();
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                lastError = ex;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what}: not reached within {limit.TotalSeconds}s; last value: {Describe(last)}{(lastError is null ? "" : $"; last error: {lastError.Message}")}");
            }

            await Task.Delay(50);
        }
    }

    public static Task Until(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) => Until(probe, ok => ok, what, timeout);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string[] array => $"[{string.Join(", ", array)}]",
        Interfaces.Routing routing => $"{routing.LbType} active={routing.ActiveEndpoints} [{string.Join(", ", routing.Ports.SelectMany(p => p.Endpoints).Select(e => $"{e.ClusterKey}:{e.State}/{e.Weight}"))}] problems=[{string.Join("; ", routing.Problems)}]",
        _ => value.ToString() ?? "",
    };
}
