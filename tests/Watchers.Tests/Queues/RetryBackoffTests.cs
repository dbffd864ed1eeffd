using ErieCanal.Orleans.Watchers.Queues;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Queues;

/// <summary>A loop that retries one thing (a session's connection, an informer's watch) follows the queue's contract.</summary>
public sealed class RetryBackoffTests
{
    private static readonly RetryOptions Retry = new() { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(8) };

    [Fact]
    public void The_delays_are_the_queues_per_key_delays_and_progress_resets_them()
    {
        var backoff = new RetryBackoff(Retry);
        Assert.Equal([1, 2, 4, 8, 8], Enumerable.Range(1, 5).Select(_ => backoff.Next().TotalSeconds).ToArray());
        Assert.Equal(5, backoff.Failures);

        backoff.Reset();
        Assert.Equal(Retry.DelayAfter(1), backoff.Next());
    }

    [Fact]
    public void Jitter_keeps_at_least_half_of_each_step_so_the_delay_still_grows()
    {
        var backoff = new RetryBackoff(Retry, jitter: true);
        for (var failures = 1; failures <= 6; failures++)
        {
            var step = Retry.DelayAfter(failures);
            var delay = backoff.Next();
            Assert.InRange(delay, step / 2, step);
        }
    }
}
