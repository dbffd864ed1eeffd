using Azure.Data.Tables;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Exports;
using ErieCanal.Orleans.Watchers.Health;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Sessions;
using ErieCanal.Orleans.Watchers.Writers;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
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
        silo.Services.AddSingleton<MemberImportWriters>();
        silo.Services.AddSingleton<MemberExportWriters>();
        silo.Services.AddSingleton<ClusterIdentities>();

        // The standard API (multicluster.x-k8s.io): its engines, and the observer that has member sessions watch
        // MCS ServiceExports (ErieCanal:Mcs:Enabled turns the watching off; the engines then stay idle).
        silo.Services.AddSingleton<McsExportEngines>();
        silo.Services.AddSingleton<IMcsExportEngines>(sp => sp.GetRequiredService<McsExportEngines>());
        silo.Services.AddSingleton<McsImportEngines>();
        silo.Services.AddSingleton<IMcsImportEngines>(sp => sp.GetRequiredService<McsImportEngines>());
        silo.Services.AddSingleton<IMcsExportObserver, GrainMcsExportObserver>();
        silo.Services.AddSingleton<MemberSessions>();
        silo.Services.AddSingleton<IngressSweep>(IngressWriter.DeleteAllAsync);
        silo.Services.AddSingleton<MemberEngine>();
        silo.Services.AddSingleton(sp => new ProbeIdentity(sp.GetRequiredService<ILocalSiloDetails>().Name));
        silo.Services.AddSingleton<ClusterWatcher>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ClusterWatcher>());
        silo.Services.AddHostedService<HealthProber>();
        return silo;
    }

    /// <summary>
    /// Grain state in the store <c>Orleans:Redis</c> or <c>Orleans:AzureStorage</c> selects (see <see cref="StoreOptions"/>),
    /// in memory when neither is set (the embedded default and tests). Both set, or an unusable Azure Storage
    /// connection string, stops the silo at start with a message naming the settings.
    /// </summary>
    public static ISiloBuilder AddErieCanalStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        var store = Settings(configuration, StoreOptions.Section, new StoreOptionsValidator());
        switch (store.Kind)
        {
            case StoreKind.AzureTable:
                foreach (var name in StorageNamesInUse)
                {
                    silo.AddAzureTableGrainStorage(name, o => o.TableServiceClient = new TableServiceClient(store.AzureStorage));
                }

                break;
            case StoreKind.Redis:
                foreach (var name in StorageNamesInUse)
                {
                    silo.AddRedisGrainStorage(name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(store.Redis!));
                }

                break;
            default:
                foreach (var name in StorageNamesInUse)
                {
                    silo.AddMemoryGrainStorage(name);
                }

                break;
        }

        return silo;
    }

    /// <summary>Grain state in Redis when a connection string is given, otherwise in memory.</summary>
    public static ISiloBuilder AddErieCanalStorage(this ISiloBuilder silo, string? redisConnectionString) =>
        silo.AddErieCanalStorage(new ConfigurationBuilder().AddInMemoryCollection([new("Orleans:Redis", redisConnectionString)]).Build());

    /// <summary>
    /// Membership probing tuned so a silo that died is declared dead in seconds (<see cref="MembershipTuningOptions"/>,
    /// section <c>Orleans:Membership</c>); applies whichever clustering the silo uses.
    /// </summary>
    public static ISiloBuilder UseErieCanalMembershipTuning(this ISiloBuilder silo, IConfiguration configuration)
    {
        var tuning = Settings(configuration, MembershipTuningOptions.Section, new MembershipTuningOptionsValidator());
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = tuning.ProbeTimeout;
            o.NumMissedProbesLimit = tuning.NumMissedProbesLimit;
            o.NumVotesForDeathDeclaration = tuning.NumVotesForDeathDeclaration;
            o.IAmAliveTablePublishTimeout = tuning.IAmAliveTablePublishTimeout;
            o.TableRefreshTimeout = tuning.TableRefreshTimeout;
            o.DeathVoteExpirationTimeout = tuning.DeathVoteExpirationTimeout;
            o.DefunctSiloExpiration = tuning.DefunctSiloExpiration;
        });
        return silo;
    }

    /// <summary>Every storage provider name a grain uses (src/Interfaces/StorageNames.cs).</summary>
    private static readonly string[] StorageNamesInUse = [StorageNames.Grains];

    /// <summary>Settings read while the silo is built (they choose providers), validated there with a clear message.</summary>
    private static T Settings<T>(IConfiguration configuration, string section, IValidateOptions<T> validator)
        where T : class, new()
    {
        var settings = configuration.GetSection(section).Get<T>() ?? new T();
        var result = validator.Validate(null, settings);
        return result.Failed ? throw new OptionsValidationException(section, typeof(T), result.Failures) : settings;
    }
}
