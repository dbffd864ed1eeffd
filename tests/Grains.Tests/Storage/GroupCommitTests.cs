using ErieCanal.Orleans.Grains.Storage;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Storage;

/// <summary>Group commit: one write in flight, the changes behind it share the next, nobody returns unwritten.</summary>
public sealed class GroupCommitTests
{
    // Each write completes when the test says so, and records how many changes its snapshot held.
    private sealed class GatedStore
    {
        private readonly List<TaskCompletionSource> _gates = [];

        public int Live { get; set; }

        public List<int> Snapshots { get; } = [];

        public Task WriteAsync(CancellationToken cancellationToken)
        {
            Snapshots.Add(Live);
            var gate = new TaskCompletionSource();
            _gates.Add(gate);
            return gate.Task;
        }

        public void Complete(int write) => _gates[write].SetResult();

        public void Fail(int write) => _gates[write].SetException(new InvalidOperationException("store down"));
    }

    [Fact]
    public async Task Changes_during_a_write_share_the_next_write_and_no_caller_returns_before_its_change_is_stored()
    {
        var store = new GatedStore();
        var commit = new GroupCommit(store.WriteAsync);

        store.Live = 1;
        commit.Changed();
        var first = commit.PersistAsync(CancellationToken.None);

        // Three more changes while the first write is in flight.
        var later = new List<Task>();
        for (var i = 2; i <= 4; i++)
        {
            store.Live = i;
            commit.Changed();
            later.Add(commit.PersistAsync(CancellationToken.None));
        }

        Assert.Equal([1], store.Snapshots);
        store.Complete(0);
        await first;
        Assert.All(later, t => Assert.False(t.IsCompleted));

        // One write carries all three.
        Assert.Equal([1, 4], store.Snapshots);
        store.Complete(1);
        await Task.WhenAll(later);
        Assert.False(commit.Unwritten);
        Assert.Equal(2, store.Snapshots.Count);
    }

    [Fact]
    public async Task Nothing_changed_means_no_write()
    {
        var store = new GatedStore();
        var commit = new GroupCommit(store.WriteAsync);
        await commit.PersistAsync(CancellationToken.None);
        Assert.Empty(store.Snapshots);
    }

    [Fact]
    public async Task A_failed_write_leaves_the_change_unwritten_and_the_next_persist_stores_it()
    {
        var store = new GatedStore();
        var commit = new GroupCommit(store.WriteAsync);
        store.Live = 1;
        commit.Changed();
        var failing = commit.PersistAsync(CancellationToken.None);
        store.Fail(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.True(commit.Unwritten);

        var retry = commit.PersistAsync(CancellationToken.None);
        store.Complete(1);
        await retry;
        Assert.False(commit.Unwritten);
        Assert.Equal([1, 1], store.Snapshots);
    }

    [Fact]
    public async Task A_caller_joined_to_a_failed_write_tries_one_of_its_own()
    {
        var store = new GatedStore();
        var commit = new GroupCommit(store.WriteAsync);
        store.Live = 1;
        commit.Changed();
        var failing = commit.PersistAsync(CancellationToken.None);
        var joined = commit.PersistAsync(CancellationToken.None);
        store.Fail(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        Assert.Equal(2, store.Snapshots.Count);
        store.Complete(1);
        await joined;
        Assert.False(commit.Unwritten);
    }
}
