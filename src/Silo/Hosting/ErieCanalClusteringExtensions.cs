using System.Net;
using Azure.Data.Tables;
using ErieCanal.Orleans.Grains.Hosting;
using Orleans.Configuration;

namespace ErieCanal.Orleans.Silo.Hosting;

/// <summary>
/// How silos find each other: through the membership table of the durable store (Redis or Azure Table, whichever
/// <c>Orleans:Redis</c> / <c>Orleans:AzureStorage</c> names), or one silo on localhost when there is none.
/// </summary>
public static class ErieCanalClusteringExtensions
{
    public static ISiloBuilder UseErieCanalClustering(this ISiloBuilder silo, IConfiguration configuration, bool inCluster)
    {
        var store = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        var siloPort = int.TryParse(configuration["Orleans:SiloPort"], out var sp) ? sp : 11111;
        var gatewayPort = int.TryParse(configuration["Orleans:GatewayPort"], out var gp) ? gp : 30000;
        switch (store.Kind)
        {
            case StoreKind.Memory:
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                return silo.UseErieCanalMembershipTuning(configuration);
            case StoreKind.AzureTable:
                // StoreOptionsValidator (AddErieCanalStorage) has already refused a malformed string.
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(store.AzureStorage));
                break;
            default:
                silo.UseRedisClustering(store.Redis!);
                break;
        }

        if (inCluster)
        {
            // Pod name, namespace and IP from the downward API; see charts/erie-canal-orleans. The ports the chart
            // sets (Orleans__SiloPort, Orleans__GatewayPort) win over the hosting package's defaults.
            silo.UseKubernetesHosting();
            var listen = ListenAddress(configuration);
            silo.Configure<EndpointOptions>(o =>
            {
                if (int.TryParse(configuration["Orleans:SiloPort"], out var port))
                {
                    o.SiloPort = port;
                }

                if (int.TryParse(configuration["Orleans:GatewayPort"], out var gateway))
                {
                    o.GatewayPort = gateway;
                }

                // The hosting package listens on every address unless told; pods sharing a network namespace (host
                // network, the sandbox) would collide on the port, so the chart binds the pod's own address.
                if (listen is not null)
                {
                    o.SiloListeningEndpoint = new IPEndPoint(listen, o.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(listen, o.GatewayPort);
                    if (!listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.IPv6Any))
                    {
                        o.AdvertisedIPAddress ??= listen;
                    }
                }
            });
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = configuration["Orleans:ClusterId"] ?? "erie-canal";
                o.ServiceId = configuration["Orleans:ServiceId"] ?? "erie-canal";
            });

            // Outside Kubernetes silos advertise loopback unless told otherwise (multi-host: set Orleans:AdvertisedIP).
            silo.ConfigureEndpoints(
                IPAddress.TryParse(configuration["Orleans:AdvertisedIP"], out var advertised) ? advertised : IPAddress.Loopback,
                siloPort,
                gatewayPort,
                listenOnAnyHostAddress: false);
        }

        return silo.UseErieCanalMembershipTuning(configuration);
    }

    /// <summary>
    /// <c>Orleans:ListenIP</c>, the one address the silo and gateway listeners bind in a pod (IPv6 with or without
    /// brackets); null when unset.
    /// </summary>
    public static IPAddress? ListenAddress(IConfiguration configuration) =>
        configuration["Orleans:ListenIP"] is { Length: > 0 } text
            ? IPAddress.TryParse(text.Trim('[', ']'), out var address)
                ? address
                : throw new InvalidOperationException($"Orleans:ListenIP is not an IP address: '{text}'")
            : null;
}
