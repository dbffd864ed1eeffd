using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Hosting;

/// <summary>The host's stop budget on SIGTERM, from <see cref="ShutdownOptions"/>.</summary>
public static class ShutdownExtensions
{
    public static IServiceCollection AddErieCanalShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>().Bind(configuration.GetSection(ShutdownOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();

        // The Orleans silo is a hosted service: the host's timeout is what it gets to leave the cluster gracefully.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.TimeoutSeconds));
        return services;
    }
}
