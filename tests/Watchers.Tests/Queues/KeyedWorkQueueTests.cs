using System.Collections.Concurrent;
using ErieCanal.Orleans.Watchers.Queues;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Queues;

public sealed class KeyedWorkQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_key_added_several_times_while_queued_runs_once()
    {
        var queue = new KeyedWorkQueue();
        var runs = new ConcurrentDictionary<string, int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add("a");
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(4, (key, _) =>
        {
            runs.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (runs.Count == 2)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        }, (_, _) => { }, stop.Token);

        await done.Task.WaitAsync(Bound);
        queue.Complete();
        await running.WaitAsync(Bound);
        Assert.Equal(1, runs["a"]);
        Assert.Equal(1, runs["b"]);
    }

    [Fact]
    public async Task Idle_is_raised_once_the_last_key_of_a_burst_finished()
    {
        var queue = new KeyedWorkQueue();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var idle = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = 0;
        queue.Idle += () => idle.TrySetResult(Volatile.Read(ref finished));
        foreach (var key in new[] { "a", "b", "c" })
        {
            queue.Add(key);
        }

        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(2, async (_, _) =>
        {
            await release.Task;
            Interlocked.Increment(ref finished);
        }, (_, _) => { }, stop.Token);

        Assert.False(idle.Task.IsCompleted);
        release.SetResult();
        var finishedWhenIdle = await idle.Task.WaitAsync(Bound);
        queue.Complete();
        await running.WaitAsync(Bound);

        Assert.Equal(3, finishedWhenIdle);
        Assert.Equal(0, queue.Pending);
    }

    [Fact]
    public async Task A_key_added_while_in_flight_runs_again_afterwards_never_concurrently()
    {
        var queue = new KeyedWorkQueue();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var concurrent = 0;
        var maxConcurrent = 0;
        var runs = 0;
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(4, async (_, _) =>
        {
            var now = Interlocked.Increment(ref concurrent);
            maxConcurrent = Math.Max(maxConcurrent, now);
            var run = Interlocked.Increment(ref runs);
            if (run == 1)
            {
                started.TrySetResult();
                await release.Task;
            }
            else
            {
                secondRun.TrySetResult();
            }

            Interlocked.Decrement(ref concurrent);
        }, (_, _) => { }, stop.Token);

        queue.Add("k");
        await started.Task.WaitAsync(Bound);
        queue.Add("k");
        queue.Add("k");
        release.SetResult();
        await secondRun.Task.WaitAsync(Bound);
        queue.Complete();
        await running.WaitAsync(Bound);

        Assert.Equal(2, runs);
        Assert.Equal(1, maxConcurrent);
    }

    [Fact]
    public async Task A_failing_key_is_reported_and_the_workers_go_on()
    {
        var queue = new KeyedWorkQueue();
        var failures = new ConcurrentBag<string>();
        var ok = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(1, (key, _) =>
        {
            if (key == "bad")
            {
                throw new InvalidOperationException("boom");
            }

            ok.TrySetResult();
            return Task.CompletedTask;
        }, (key, _) => failures.Add(key), stop.Token);

        queue.Add("bad");
        queue.Add("good");
        await ok.Task.WaitAsync(Bound);
        await stop.CancelAsync();
        await running.WaitAsync(Bound);
        Assert.Equal(["bad"], failures);
    }
}
