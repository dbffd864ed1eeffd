using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// Access to the silo: a bearer token on its HTTP listeners (<see cref="HttpAccessOptions"/>), a warning when they
/// are exposed without one, and TLS between silos (<see cref="SiloTlsOptions"/>).
/// </summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddErieCanalSecurity(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var access = configuration.GetSection(HttpAccessOptions.Section).Get<HttpAccessOptions>() ?? new HttpAccessOptions();
        var result = new HttpAccessOptionsValidator().Validate(null, access);
        if (result.Failed)
        {
            throw new OptionsValidationException(HttpAccessOptions.Section, typeof(HttpAccessOptions), result.Failures);
        }

        builder.Services.AddOptions<HttpAccessOptions>().Bind(configuration.GetSection(HttpAccessOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HttpAccessOptions>, HttpAccessOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BearerTokenCheck>();
        builder.Services.AddSingleton<IStartupFilter, BearerTokenStartupFilter>();
        builder.Services.AddHostedService<ListenerExposureWarning>();

        // UseOrleans configures the one silo builder again (the silo is set up in Program.cs).
        builder.UseOrleans(silo => silo.UseErieCanalTls(configuration));
        return builder;
    }

    /// <summary>The token check goes first in the pipeline, ahead of routing and every endpoint.</summary>
    private sealed class BearerTokenStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<BearerTokenMiddleware>();
            next(app);
        };
    }
}
