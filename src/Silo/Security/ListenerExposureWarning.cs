using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// Once the listeners are bound: a loud warning for each one reachable beyond this machine while no bearer token is
/// configured (the API shows members and routing, the dashboard every grain). The chart binds the API to the pod's
/// addresses for the kubelet's probes, so this warns rather than refuses.
/// </summary>
public sealed partial class ListenerExposureWarning(IServer server, BearerTokenCheck check, IHostApplicationLifetime lifetime, ILogger<ListenerExposureWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
        if (check.Enabled)
        {
            return;
        }

        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!IsLoopback(address))
            {
                LogExposed(address, $"{HttpAccessOptions.Section}:{nameof(HttpAccessOptions.BearerTokenFile)}");
            }
        }
    }

    /// <summary>True for listeners only this machine reaches: loopback addresses and localhost.</summary>
    public static bool IsLoopback(string address)
    {
        // Wildcards (http://*:80, http://+:80) are not URIs; they listen everywhere.
        if (!Uri.TryCreate(address.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "SECURITY: the HTTP listener {Address} is reachable beyond this machine and no bearer token is set: anyone who reaches it can read members and routing (and the dashboard, if it is there). Set {Setting} (a mounted Secret) to require Authorization: Bearer <token>")]
    private partial void LogExposed(string address, string setting);
}
