using System.Diagnostics;
using System.Text.Json;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// Waits for a condition with a generous bound instead of sleeping a fixed time. A probe that throws is retried;
/// on timeout the message carries the last value (as JSON) and the last error. A probe's own TimeoutException (an
/// Orleans response timeout, a socket timeout) is a failed probe like any other; only a nested Until's bound, or a probe's <see cref="WaitAbortedException"/>, ends the wait.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

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
            catch (Exception ex) when (ex is not EventuallyTimeoutException and not WaitAbortedException)
            {
                lastError = ex;
            }

            if (clock.Elapsed > limit)
            {
                throw new EventuallyTimeoutException($"{what}: not reached within {limit.TotalSeconds}s; last value: {Describe(last)}{(lastError is null ? "" : $"; last error: {lastError.Message}")}");
            }

            await Task.Delay(Poll);
        }
    }

    public static Task Until(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) => Until(probe, ok => ok, what, timeout);

    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) => Until(() => Task.FromResult(condition()), what, timeout);

    private static string Describe<T>(T value)
    {
        try
        {
            var json = JsonSerializer.Serialize(value);
            return json.Length > 2000 ? json[..2000] + "…" : json;
        }
        catch (NotSupportedException)
        {
            return value?.ToString() ?? "null";
        }
    }
}
