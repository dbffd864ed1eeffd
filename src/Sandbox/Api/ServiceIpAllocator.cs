using ErieCanal.Orleans.Sandbox.Pods;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Hands out Service cluster IPs in 127.&lt;octet&gt;.0.0/16. They come from loopback on purpose: nothing that reads
/// them can ever send traffic off this machine. With the cluster network served they are real listeners, so they
/// are drawn like pod IPs: unique in the process and rarely shared with another process's sandbox.
/// </summary>
public sealed class ServiceIpAllocator(int secondOctet)
{
    private readonly PodIpAllocator _addresses = new(secondOctet);

    public string Allocate() => _addresses.Allocate();
}
