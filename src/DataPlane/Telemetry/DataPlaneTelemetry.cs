using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;

namespace ErieCanal.Orleans.DataPlane.Telemetry;

/// <summary>Wiring of a component's <see cref="DataPlaneMetrics"/> into its own host and its Prometheus endpoint.</summary>
internal static class DataPlaneTelemetry
{
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// A meter provider of this host's own, exporting for Prometheus only the instruments of
    /// <paramref name="metrics"/>: meters are process-wide by name, so every component's provider would otherwise
    /// see every component's series.
    /// </summary>
    public static IServiceCollection AddDataPlaneMetrics(this IServiceCollection services, DataPlaneMetrics metrics)
    {
        services.AddSingleton(metrics);
        services.AddOpenTelemetry().WithMetrics(builder => builder
            .AddMeter(DataPlaneMetrics.MeterName)
            .AddView(instrument => ReferenceEquals(instrument.Meter, metrics.Meter) ? null : MetricStreamConfiguration.Drop)

            // Scrapes are rare and must show the numbers of the moment (a test, a benchmark): no response cache.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>
    /// GET /metrics in origin form (<c>GET /metrics HTTP/1.1</c>), answered by the component itself ahead of
    /// anything it forwards; an absolute-form request for http://svc.ns/metrics is not a scrape.
    /// </summary>
    public static IApplicationBuilder UseDataPlaneMetricsEndpoint(this IApplicationBuilder app) =>
        app.UseOpenTelemetryPrometheusScrapingEndpoint(IsScrape);

    private static bool IsScrape(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "") is var raw
        && (raw == ScrapePath || raw.StartsWith(ScrapePath + "?", StringComparison.Ordinal));
}
