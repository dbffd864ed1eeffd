using ErieCanal.Orleans.Grains.Telemetry;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace ErieCanal.Orleans.Silo.Observability;

/// <summary>
/// The silo's observability: OpenTelemetry metrics (Prometheus <c>/metrics</c> on the HTTP listener, OTLP when
/// configured) and traces (the reconciler's spans and Orleans' grain calls), and the Orleans Dashboard.
/// </summary>
public static class ObservabilityExtensions
{
    /// <summary>
    /// Metrics and traces of the reconciler, Orleans and ASP.NET Core; the Prometheus exporter when
    /// <c>Metrics:Enabled</c>, OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IServiceCollection AddErieCanalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var metrics = Settings<MetricsOptions>(configuration, MetricsOptions.Section, new MetricsOptionsValidator());
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        var otel = services.AddOpenTelemetry()
            .WithMetrics(m =>
            {
                m.AddMeter(ErieCanalTelemetry.Name, "Microsoft.Orleans").AddAspNetCoreInstrumentation();
                if (metrics.Enabled)
                {
                    m.AddPrometheusExporter();
                }
            })
            .WithTracing(t => t.AddSource(ErieCanalTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddAspNetCoreInstrumentation());
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Serves <c>/metrics</c> (Prometheus text) on the silo's HTTP listener when enabled.</summary>
    public static WebApplication MapErieCanalMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(metrics.Path);
        }

        return app;
    }

    /// <summary>The Orleans Dashboard's grains and call profiling on this silo, when <c>Dashboard:Enabled</c>.</summary>
    public static ISiloBuilder AddErieCanalDashboard(this ISiloBuilder silo, IConfiguration configuration)
    {
        var dashboard = Settings<SiloDashboardOptions>(configuration, SiloDashboardOptions.Section, new SiloDashboardOptionsValidator());
        silo.Services.AddOptions<SiloDashboardOptions>().Bind(configuration.GetSection(SiloDashboardOptions.Section));
        if (dashboard.Enabled)
        {
            silo.AddDashboard();
        }

        return silo;
    }

    /// <summary>
    /// The silo's listeners: the API (<c>Http:Urls</c>, semicolon-separated; default http://127.0.0.1:5080) and,
    /// when the dashboard has its own, the dashboard's.
    /// </summary>
    public static WebApplicationBuilder UseErieCanalListeners(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var urls = (configuration["Http:Urls"] is { Length: > 0 } configured ? configured : "http://127.0.0.1:5080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var dashboard = Settings<SiloDashboardOptions>(configuration, SiloDashboardOptions.Section, new SiloDashboardOptionsValidator());
        if (dashboard is { Enabled: true, Url: { Length: > 0 } url })
        {
            urls.Add(url);
        }

        builder.WebHost.UseUrls([.. urls]);
        return builder;
    }

    /// <summary>
    /// The dashboard's pages: on its own listener only (a request for them on another port is not found), or under
    /// <c>/dashboard</c> on the API listener when it has none.
    /// </summary>
    public static WebApplication MapErieCanalDashboard(this WebApplication app)
    {
        var dashboard = app.Services.GetRequiredService<IOptions<SiloDashboardOptions>>().Value;
        if (!dashboard.Enabled)
        {
            return app;
        }

        if (dashboard.Port is not { } port)
        {
            app.MapOrleansDashboard("/dashboard");
            return app;
        }

        // Host-based routing picks the dashboard on its port; the local port check stops a forged Host header from
        // reaching it through the API listener.
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpoint>() is not null && context.Connection.LocalPort != port)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapOrleansDashboard().RequireHost($"*:{port}").WithMetadata(new DashboardEndpoint());
        return app;
    }

    private static T Settings<T>(IConfiguration configuration, string section, IValidateOptions<T> validator)
        where T : class, new()
    {
        var settings = configuration.GetSection(section).Get<T>() ?? new T();
        var result = validator.Validate(null, settings);
        return result.Failed ? throw new OptionsValidationException(section, typeof(T), result.Failures) : settings;
    }

    /// <summary>Marks the dashboard's endpoints, which only its own listener serves.</summary>
    private sealed class DashboardEndpoint;
}
