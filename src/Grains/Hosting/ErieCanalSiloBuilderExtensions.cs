using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using StackExchange.Redis;

namespace ErieCanal.Orleans.Grains.Hosting;

/// <summary>Wires the reconciler into a silo: options, placement, streams, silo-local services and the watchers.</summary>
public static class ErieCanalSiloBuilderExtensions
{
    /// <summary>
    /// Adds the ErieCanal reconciler. Configuration comes from the <c>ErieCanal</c> section of
    /// <paramref name="configuration"/>; <paramref name="configure"/> may override it.
    /// </summary>
    public static ISiloBuilder AddErieCanal(this ISiloBuilder silo, IConfiguration configuration, Action<ErieCanalOptions>? configure = null)
    {
        var section = configuration.GetSection(ErieCanalOptions.Section);
        var region = section[nameof(ErieCanalOptions.Region)] ?? "default";
        silo.Services.AddOptions<ErieCanalOptions>().Bind(section).Configure(o => configure?.Invoke(o)).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<ErieCanalOptions>, ErieCanalOptionsValidator>();

        silo.UseSiloMetadata(new Dictionary<string, string> { [RegionPlacementStrategy.MetadataKey] = region });
        silo.Services.AddPlacementDirector<RegionPlacementStrategy, RegionPlacementDirector>();
        silo.Services.AddSingleton<RegionAffinity>();
        silo.AddBroadcastChannel(ChannelNames.Provider, o => o.FireAndForgetDelivery = true);

        // Grain calls carry the trace context, so one export change is one trace across grains and silos (spans are
        // only made while something listens, e.g. an OTLP exporter).
        silo.AddActivityPropagation();

        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ControlPlaneConnection>();
        silo.Services.AddSingleton<MemberCredentials>();
        silo.Services.AddSingleton<MemberClients>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<MemberImportWriters>();
        silo.Services.AddSingleton(sp => new ProbeIdentity(sp.GetRequiredService<ILocalSiloDetails>().Name));
        silo.Services.AddSingleton<ClusterWatcher>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ClusterWatcher>());
        silo.Services.AddHostedService<HealthProber>();
        return silo;
    }

    /// <summary>
    /// Grain state: Redis when a connection string is given (production), otherwise in memory (the embedded default
    /// and tests).
    /// </summary>
    public static ISiloBuilder AddErieCanalStorage(this ISiloBuilder silo, string? redisConnectionString)
    {
        if (string.IsNullOrWhiteSpace(redisConnectionString))
        {
            silo.AddMemoryGrainStorage(StorageNames.Grains);
            return silo;
        }

        silo.AddRedisGrainStorage(StorageNames.Grains, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redisConnectionString));
        return silo;
    }
}
