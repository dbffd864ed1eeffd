
namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>The web host both components share: Kestrel on one URL, the host's logging, no Server header.</summary>
internal static class DataPlaneApp
{
    public static WebApplicationBuilder CreateBuilder(string listen, ILoggerFactory? loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DataPlaneApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        }

        return builder;
    }

    /// <summary>GET /healthz (alive) and GET /readyz (informers synced), ahead of any proxied route.</summary>
    public static void MapProbes(WebApplication app, Func<bool> ready)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).WithOrder(0);
        app.MapGet("/readyz", () => ready() ? Results.Text("ready") : Results.Text("informers not synced", statusCode: StatusCodes.Status503ServiceUnavailable)).WithOrder(0);
    }

    public static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

}
