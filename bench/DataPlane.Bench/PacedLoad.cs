using System.Diagnostics;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// Open loop: request i is due at start + i / rate whatever happened to the others, and its latency runs from when
/// it was due, so time spent queueing behind slow requests (or a late dispatcher) counts, as it would for real clients.
/// </summary>
public static class PacedLoad
{
    public static async Task<Segment> RunAsync(RequestPath path, int rate, TimeSpan duration, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        var count = Math.Max(1, (int)(rate * duration.TotalSeconds));
        var interval = (double)Stopwatch.Frequency / rate;
        var latencies = new double[count];
        var lag = new double[count];
        var errors = new string?[count];
        var requests = new Task[count];
        var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task MeasureAsync(int i, long due)
        {
            try
            {
                errors[i] = await path.SendAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                errors[i] = $"{ex.GetType().Name}: {ex.Message}";
            }

            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();

        // A thread of its own, so the schedule does not wait for a thread-pool thread that the requests keep busy.
        var dispatcher = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
                {
                    var due = start + (long)(i * interval);
                    PreciseWait.Until(due);
                    lag[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                    requests[i] = MeasureAsync(i, due);
                }

                dispatched.TrySetResult();
            }
            catch (Exception ex)
            {
                dispatched.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "paced dispatcher",
            Priority = ThreadPriority.AboveNormal,
        };
        dispatcher.Start();
        await dispatched.Task.WaitAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        await Task.WhenAll(requests).WaitAsync(drainTimeout, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var usedCpu = Environment.CpuUsage.TotalTime - cpu;

        var answered = Enumerable.Range(0, count).Where(i => errors[i] is null).Select(i => latencies[i]).ToList();
        return new Segment(count, count - answered.Count, elapsed, usedCpu, answered, [.. lag], errors.FirstOrDefault(e => e is not null));
    }
}
