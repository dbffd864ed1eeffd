using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Directory;

/// <summary>
/// One service's entry in the service index (<see cref="IServiceIndexGrain"/>), kept by the grain that owns the
/// service: set after each change (version 0 removes it) and re-asserted on a timer while that grain is active. The
/// index is what every writer's repair goes by, so an entry the index lost must come back without anyone calling: a
/// second shard activation while a killed silo's grains are placed again writes its state over the first's, and the
/// service's grain, still active elsewhere, is the only one that knows the service exists.
/// </summary>
internal sealed class ServiceIndexEntry(IGrainFactory grains, string indexKey)
{
    private long _version;

    /// <summary>False between a change and the index shard's acknowledgement of its version.</summary>
    public bool Acknowledged { get; private set; } = true;

    private IServiceIndexGrain Shard => grains.GetGrain<IServiceIndexGrain>(ServiceKeys.IndexShard(indexKey));

    /// <summary>A change is under way: until <see cref="SetAsync"/> returns, a retry of it must index again.</summary>
    public void Changed() => Acknowledged = false;

    public async Task SetAsync(long version)
    {
        _version = version;
        Acknowledged = false;
        await Shard.Set(indexKey, version);
        Acknowledged = true;
    }

    /// <summary>
    /// Sends the last version again every <paramref name="interval"/> (the first after a random part of it, so the
    /// services of a silo do not all call at once); a repeat of what the shard holds costs it no write.
    /// </summary>
    public void KeepAsserted(IGrainBase grain, TimeSpan interval, Action<Exception> failed)
    {
        var first = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
        grain.RegisterGrainTimer(async _ =>
        {
            if (_version > 0)
            {
                try
                {
                    await SetAsync(_version);
                }
                catch (Exception ex)
                {
                    failed(ex);
                }
            }
        }, new GrainTimerCreationOptions(first, interval));
    }
}
