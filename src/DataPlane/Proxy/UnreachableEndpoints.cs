using System.Collections.Concurrent;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Passive health: addresses that just refused or timed out are passed over for a while.</summary>
public sealed class UnreachableEndpoints(TimeSpan period, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    // Marks are rare: while there are none, a check is one read, not a lookup (nor a clock read).
    private int _marked;

    public void Mark(ProxyAddress address)
    {
        _until[address.Key] = time.GetUtcNow() + period;
        Volatile.Write(ref _marked, 1);
    }

    public void Clear(ProxyAddress address)
    {
        // Lock-free look first: clearing follows every answered request, and TryRemove takes a lock even when absent.
        if (Volatile.Read(ref _marked) != 0 && _until.ContainsKey(address.Key))
        {
            _until.TryRemove(address.Key, out _);
        }
    }

    public bool IsMarked(ProxyAddress address) =>
        Volatile.Read(ref _marked) != 0 && _until.TryGetValue(address.Key, out var until) && until > time.GetUtcNow();
}
