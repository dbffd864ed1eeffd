using System.Net;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>The member's gateway address for its exports' endpoints: an IP literal as is, a name resolved once per connection.</summary>
public static class GatewayResolver
{
    public static async Task<GatewayAddress?> ResolveAsync(ClusterSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (spec.GatewayHost is not { } host)
        {
            return null;
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            return new GatewayAddress(host, literal.ToString(), spec.GatewayPort);
        }

        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            var addresses = await Dns.GetHostAddressesAsync(host, bounded.Token);
            var ip = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return new GatewayAddress(host, ip?.ToString() ?? "", spec.GatewayPort);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // An unresolvable name still gives consumers the host to resolve themselves.
            return new GatewayAddress(host, "", spec.GatewayPort);
        }
    }
}
