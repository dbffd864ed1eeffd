using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Interfaces;
using Orleans.Concurrency;

namespace ErieCanal.Orleans.Grains.Directory;

[GenerateSerializer]
public sealed class ServiceIndexState
{
    [Id(0)]
    public Dictionary<string, long> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One shard of the service index. Calls interleave so that the changes arriving while a write is in flight share the
/// next one (<see cref="GroupCommit"/>); each still returns only once its change is stored.
/// </summary>
[Reentrant]
public sealed class ServiceIndexGrain : Grain, IServiceIndexGrain
{
    private readonly IPersistentState<ServiceIndexState> _state;
    private readonly GroupCommit _commit;
    private Dictionary<string, long> _services = new(StringComparer.Ordinal);

    public ServiceIndexGrain([PersistentState("service-index", StorageNames.Grains)] IPersistentState<ServiceIndexState> state)
    {
        _state = state;
        _commit = new GroupCommit(WriteAsync);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _services = new(_state.State.Services, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    public async Task Set(string serviceKey, long version)
    {
        if (version <= 0)
        {
            if (_services.Remove(serviceKey))
            {
                _commit.Changed();
            }
        }
        else if (!_services.TryGetValue(serviceKey, out var known) || known < version)
        {
            _services[serviceKey] = version;
            _commit.Changed();
        }

        await _commit.PersistAsync(CancellationToken.None);
    }

    public Task<ImmutableDictionary<string, long>> GetAll() => Task.FromResult(_services.ToImmutableDictionary(StringComparer.Ordinal));

    // A failed write (the store restarting) leaves the changes unwritten: the next call tries again.
    private Task WriteAsync(CancellationToken cancellationToken)
    {
        _state.State = new ServiceIndexState { Services = new(_services, StringComparer.Ordinal) };
        return _state.WriteOverStaleAsync(cancellationToken);
    }
}
