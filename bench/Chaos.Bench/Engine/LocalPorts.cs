using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Chaos.Bench;

internal static class LocalPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitAcceptingAsync(int port, string what, Func<bool> exited, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            if (exited())
            {
                throw new InvalidOperationException($"{what} exited before accepting connections");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow - started < timeout)
            {
                await Task.Delay(100);
            }
        }
    }
}
