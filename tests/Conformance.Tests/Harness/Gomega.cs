using System.Diagnostics;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The three waits the upstream suite makes with Gomega, with its budgets given at each call site:
/// <c>Eventually(...).Within(w).ProbeEvery(p).MustPassRepeatedly(n)</c>, and <c>Consistently(..., d, p)</c>. A probe
/// passes by returning without an exception (an assertion that fails throws); the last failure is what the timeout
/// reports, as Gomega does.
/// </summary>
public static class Gomega
{
    /// <summary>Polls <paramref name="probe"/> every <paramref name="poll"/> until it passes <paramref name="passes"/> times in a row, within <paramref name="within"/>.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, TimeSpan within, TimeSpan poll, string what, int passes = 1)
    {
        var clock = Stopwatch.StartNew();
        var inARow = 0;
        Exception? last = null;
        while (true)
        {
            var started = clock.Elapsed;
            try
            {
                var value = await probe();
                inARow++;
                if (inARow >= passes)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is not ConformanceTimeoutException)
            {
                // Gomega's MustPassRepeatedly counts consecutive passes: one failure starts the count again.
                inARow = 0;
                last = ex;
            }

            if (clock.Elapsed >= within)
            {
                throw new ConformanceTimeoutException($"{what}: not reached within {within.TotalSeconds}s (polling every {poll.TotalMilliseconds} ms{(passes > 1 ? $", {passes} passes in a row; {inARow} so far" : "")}){(last is null ? "" : $"; last failure: {last.Message}")}", last);
            }

            // The poll is the interval between probe starts, as Gomega's ticker.
            var wait = poll - (clock.Elapsed - started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }

    public static Task Eventually(Func<Task> probe, TimeSpan within, TimeSpan poll, string what, int passes = 1) =>
        Eventually(async () => { await probe(); return true; }, within, poll, what, passes);

    /// <summary>Polls <paramref name="probe"/> every <paramref name="poll"/> for <paramref name="duration"/>; every probe must pass.</summary>
    public static async Task Consistently(Func<Task> probe, TimeSpan duration, TimeSpan poll, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var started = clock.Elapsed;
            try
            {
                await probe();
            }
            catch (Exception ex) when (ex is not ConformanceTimeoutException)
            {
                throw new ConformanceTimeoutException($"{what}: failed after {clock.Elapsed.TotalSeconds:0.0}s of the {duration.TotalSeconds}s it must hold: {ex.Message}", ex);
            }

            if (clock.Elapsed >= duration)
            {
                return;
            }

            var wait = poll - (clock.Elapsed - started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }
}
