namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>Where a ClusterGrain's decisions go: the silo's <see cref="MemberEngine"/> (or a recorder in tests).</summary>
public interface IMemberWorkSink
{
    /// <summary>Takes one decision; never blocks and never throws for I/O reasons (the engine retries).</summary>
    void Submit(MemberWork work);
}
