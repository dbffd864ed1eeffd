using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ErieCanal.Orleans.Sandbox.Pods;

/// <summary>
/// Hands out pod IPs in 127.&lt;octet&gt;.0.0/16. Pods listen on them, so they must be unique: counters are shared by
/// every sandbox cluster in the process that uses the same second octet (tests run several hosts at once), and start
/// at a random offset so that sandboxes in other processes on the machine rarely pick the same address.
/// </summary>
public sealed class PodIpAllocator(int secondOctet)
{
    // 127.x.y.0 and 127.x.y.255 are skipped: valid on loopback, but they read like network and broadcast addresses.
    private const int HostsPerBlock = 254;
    private const int Blocks = 256;

    private static readonly ConcurrentDictionary<int, StrongBox<int>> Counters = new();

    private readonly StrongBox<int> _counter = Counters.GetOrAdd(secondOctet, _ => new StrongBox<int>(Random.Shared.Next(HostsPerBlock * Blocks)));

    public string Allocate()
    {
        var n = (int)((uint)Interlocked.Increment(ref _counter.Value) % (HostsPerBlock * Blocks));
        return $"127.{secondOctet}.{n / HostsPerBlock}.{(n % HostsPerBlock) + 1}";
    }
}
