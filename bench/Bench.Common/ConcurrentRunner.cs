using System.Diagnostics;

namespace ErieCanal.Orleans.Bench.Common;

/// <summary>Runs operations 0..count-1 on a fixed number of workers that take the next index as they free up.</summary>
public static class ConcurrentRunner
{
    /// <summary>Returns the wall time, how many operations threw, and the process CPU time spent meanwhile.</summary>
    public static async Task<(TimeSpan Elapsed, int Failures, TimeSpan ProcessCpu)> RunAsync(int count, int concurrency, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        var next = -1;
        var failures = 0;
        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await operation(i);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync, cancellationToken)));
        return (Stopwatch.GetElapsedTime(started), failures, Environment.CpuUsage.TotalTime - cpu);
    }
}
