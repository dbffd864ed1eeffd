using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Health;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Health;

public sealed class ProbeLoopTests
{
    [Fact]
    public async Task A_target_that_never_answers_holds_at_most_the_bound_of_probes_and_every_further_interval_counts_as_failed()
    {
        var time = new FakeTimeProvider();
        var started = 0;
        var never = new TaskCompletionSource<ProbeResult?>();
        var reports = new ConcurrentQueue<ProbeReport>();
        var loop = new ProbeLoop(TimeSpan.FromSeconds(1), maxInFlight: 2, timeout: TimeSpan.FromSeconds(1), new ProbeStreak("silo", 10, TimeSpan.FromMinutes(1)),
            ct =>
            {
                Interlocked.Increment(ref started);
                return never.Task.WaitAsync(ct);
            },
            () => new ProbeResult(false, "Busy", "no answer"),
            report =>
            {
                reports.Enqueue(report);
                return Task.CompletedTask;
            },
            _ => { },
            time,
            CancellationToken.None).Start();
        try
        {
            // Each look moves the clock one interval on.
            await Eventually.Until(() =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return reports.Count >= 3;
            }, "three busy intervals reported");

            Assert.Equal(2, Volatile.Read(ref started));
            Assert.All(reports, r => Assert.Equal(("Busy", false), (r.Failure, r.Ok)));
            Assert.Equal([1, 2, 3], reports.Take(3).Select(r => r.Streak));
        }
        finally
        {
            await loop.DisposeAsync();
        }
    }
}
