using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Queues;

/// <summary>The one retry contract: per-key exponential backoff, reset on success, one log line per state change.</summary>
public sealed class RetryContractTests
{
    private static readonly RetryOptions Retry = new() { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(8) };

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_maximum()
    {
        Assert.Equal(
            [1, 2, 4, 8, 8],
            Enumerable.Range(1, 5).Select(n => Retry.DelayAfter(n).TotalSeconds).ToArray());
    }

    [Fact]
    public async Task A_failing_key_is_retried_after_its_own_growing_backoff_and_a_success_resets_it()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var queue = new KeyedWorkQueue(Retry, clock, logger, "test");
        var attempts = new List<DateTimeOffset>();
        var failUntil = 4;
        var succeeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(2, (key, _) =>
        {
            if (key == "other")
            {
                return Task.CompletedTask;
            }

            lock (attempts)
            {
                attempts.Add(clock.GetUtcNow());
                if (attempts.Count < failUntil)
                {
                    throw new InvalidOperationException("member unreachable");
                }
            }

            succeeded.TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);

        var start = clock.GetUtcNow();
        queue.Add("k");
        queue.Add("other");

        // Attempt n fails; the retry waits 1 s, then 2 s, then 4 s: time only moves when the test moves it.
        foreach (var (after, step) in new[] { (1, 1), (2, 2), (3, 4) })
        {
            await Eventually.Until(() => Task.FromResult(Count(attempts) == after && queue.Pending == 0 && queue.FailingKeys == 1), $"attempt {after} failed and is waiting");
            Assert.Equal(TimeSpan.FromSeconds(step * 2), queue.NextBackoff("k"));
            clock.Advance(TimeSpan.FromSeconds(step) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(after, Count(attempts));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.Until(() => Task.FromResult(queue.FailingKeys == 0), "success resets the key");
        Assert.Equal(TimeSpan.FromSeconds(1), queue.NextBackoff("k"));
        Assert.Equal(start + TimeSpan.FromSeconds(7), attempts[^1]);
        Assert.Equal(TimeSpan.FromSeconds(1), queue.NextBackoff("other"));

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Failures_log_one_line_when_failing_starts_and_one_when_recovered_never_a_stack_trace()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var queue = new KeyedWorkQueue(Retry, clock, logger, "writer of m");
        var failing = true;
        var runs = 0;
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(4, (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return Volatile.Read(ref failing) ? throw new InvalidOperationException("connection refused") : Task.CompletedTask;
        }, stop.Token);

        foreach (var key in new[] { "a", "b", "c" })
        {
            queue.Add(key);
        }

        // Three keys, each failing four times: twelve failures, one warning.
        for (var round = 1; round <= 4; round++)
        {
            await Eventually.Until(() => Task.FromResult(Volatile.Read(ref runs) == round * 3 && queue.Pending == 0), $"round {round} failed");
            if (round == 4)
            {
                Volatile.Write(ref failing, false);
            }

            clock.Advance(Retry.MaxBackoff);
        }

        await Eventually.Until(() => Task.FromResult(queue.FailingKeys == 0), "every key recovered");
        var warnings = logger.Lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("connection refused", warning.Message, StringComparison.Ordinal);
        var recovered = Assert.Single(logger.Lines, l => l.Level == LogLevel.Information);
        Assert.Contains("recovered after 12", recovered.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Lines, l => l.HasException);

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_key_added_while_waiting_for_its_backoff_runs_now()
    {
        var clock = new FakeTimeProvider();
        var queue = new KeyedWorkQueue(Retry, clock, new RecordingLogger(), "test");
        var runs = 0;
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(2, (_, _) => Interlocked.Increment(ref runs) == 1 ? throw new InvalidOperationException("once") : Task.CompletedTask, stop.Token);

        queue.Add("k");
        await Eventually.Until(() => Task.FromResult(queue.FailingKeys == 1 && queue.Pending == 0), "first attempt failed");
        queue.Add("k");
        await Eventually.Until(() => Task.FromResult(queue.FailingKeys == 0), "new work ran without waiting for the backoff");
        Assert.Equal(2, Volatile.Read(ref runs));

        // The pending retry still fires, and runs the key once more (idempotent work, level-triggered).
        clock.Advance(Retry.InitialBackoff);
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref runs) == 3), "the retry ran");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static int Count(List<DateTimeOffset> attempts)
    {
        lock (attempts)
        {
            return attempts.Count;
        }
    }
}
