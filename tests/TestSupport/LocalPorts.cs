using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>Ports on loopback for the servers a test starts (silos, Redis, Azurite), so parallel tests do not collide.</summary>
public static class LocalPorts
{
    /// <summary>A port the OS just handed out and took back: free now, though nothing holds it until the server binds.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
