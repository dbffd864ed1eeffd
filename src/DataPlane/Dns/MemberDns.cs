using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// Starts a member's clusterset.local DNS: a <see cref="ClustersetDnsServer"/> fed by informers on that member's
/// ServiceImports and multi-cluster EndpointSlices. It reads only its own member, by watch, so it keeps answering
/// from its cache with the member's API server or every silo gone.
/// </summary>
public static class MemberDns
{
    /// <summary>Starts reading the member through <paramref name="kubeconfig"/> (text); the client is owned and disposed with it.</summary>
    public static async Task<MemberDnsServer> StartAsync(DnsOptions options, string kubeconfig, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new DnsOptionsValidator());
        var client = KubeconfigLoader.Load(kubeconfig, options.KubernetesRequestTimeout);
        try
        {
            return await StartCoreAsync(options, client, client, loggerFactory, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Starts over a client the caller owns (and disposes after the server).</summary>
    public static Task<MemberDnsServer> StartAsync(DnsOptions options, IKubernetes client, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new DnsOptionsValidator());
        ArgumentNullException.ThrowIfNull(client);
        return StartCoreAsync(options, client, null, loggerFactory, cancellationToken);
    }

    private static async Task<MemberDnsServer> StartCoreAsync(DnsOptions options, IKubernetes client, IDisposable? ownedClient, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(MemberDns).FullName!);
        var member = string.IsNullOrEmpty(options.MemberName) ? "the member" : options.MemberName;
        var informers = new MemberInformers(options.Informer, logger);
        var imports = informers.Add(McsSources.ServiceImports(client, member));
        var slices = informers.Add(McsSources.EndpointSlices(client, member));
        var services = informers.Add(ResourceSources.Services(client, $"services on {member}"));

        // Bound before the informers start, so a taken port fails the start rather than a later rebuild.
        ClustersetDnsServer dns;
        try
        {
            dns = ClustersetDnsServer.Start(DnsListenAddress.Parse(options.Listen), logger);
        }
        catch
        {
            await informers.DisposeAsync();
            throw;
        }

        var stop = new CancellationTokenSource();
        var serial = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        informers.Start();
        var rebuilding = informers.Changed.RunAsync(
            () =>
            {
                // Answering from a partial view would hand out NXDOMAINs that resolvers cache.
                if (!informers.Synced)
                {
                    return Task.CompletedTask;
                }

                // flomesh.io imports answer here too, by the same-name Service written for them (its ClusterIP).
                var currentImports = imports().Concat(SameNameImports.From(services(), imports())).ToList();
                var currentSlices = slices();
                var records = ClustersetRecords.Build(currentImports, currentSlices, options.Ttl, unchecked(serial++));
                dns.Update(records);
                logger.Rebuilt(member, records.ServiceCount, currentImports.Count, currentSlices.Count);
                return Task.CompletedTask;
            },
            ex => logger.RebuildFailed(ex, member),
            stop.Token);

        logger.Started(member, dns.EndPoint);
        return new MemberDnsServer(dns, informers, stop, rebuilding, ownedClient);
    }
}
