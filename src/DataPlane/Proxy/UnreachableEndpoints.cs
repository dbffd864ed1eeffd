using System.Collections.Concurrent;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Passive health: addresses that just refused or timed out are passed over for a while.</summary>
public sealed class UnreachableEndpoints(TimeSpan period, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public void Mark(ProxyAddress address) => _until[address.Key] = time.GetUtcNow() + period;

    public void Clear(ProxyAddress address) => _until.TryRemove(address.Key, out _);

    public bool IsMarked(ProxyAddress address) => _until.TryGetValue(address.Key, out var until) && until > time.GetUtcNow();
}
