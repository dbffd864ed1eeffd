namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Hands out Service cluster IPs and pod IPs. They come from loopback ranges (127.x) on purpose: they are data in
/// the sandbox, and nothing that reads them can ever send traffic off this machine.
/// </summary>
public sealed class ServiceIpAllocator(int secondOctet)
{
    private int _next;

    public string Allocate()
    {
        var n = Interlocked.Increment(ref _next);
        return $"127.{secondOctet}.{(n >> 8) & 0xFF}.{((n & 0xFF) == 0 ? 1 : n & 0xFF)}";
    }
}
