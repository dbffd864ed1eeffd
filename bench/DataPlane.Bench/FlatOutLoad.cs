using System.Diagnostics;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>Closed loop: a fixed number of clients, each sending its next request as soon as the last is answered.</summary>
public static class FlatOutLoad
{
    public static async Task<Segment> RunAsync(RequestPath path, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var failures = 0;
        string? firstError = null;
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        async Task<List<double>> ClientAsync()
        {
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                var sent = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await path.SendAsync(cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    error = $"{ex.GetType().Name}: {ex.Message}";
                }

                if (error is null)
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }

            return mine;
        }

        var clients = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync, cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var usedCpu = Environment.CpuUsage.TotalTime - cpu;
        var answered = clients.SelectMany(c => c).ToList();
        return new Segment(answered.Count + failures, failures, elapsed, usedCpu, answered, [], firstError);
    }
}
