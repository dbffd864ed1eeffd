
using Microsoft.AspNetCore.Connections;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// The web host both components share: Kestrel on one URL, the host's logging, no Server header, and nothing on
/// the request path that a proxy does not need: no per-request log lines or scopes, no thread-pool hop between the
/// socket and the handler.
/// </summary>
internal static class DataPlaneApp
{
    /// <param name="listen">The listen URL.</param>
    /// <param name="loggerFactory">The host's, if any.</param>
    /// <param name="halfClose">Serve every connection over <see cref="HalfCloseSocketTransport"/> (the gateway, for its tunnels).</param>
    public static WebApplicationBuilder CreateBuilder(string listen, ILoggerFactory? loggerFactory, bool halfClose = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DataPlaneApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var (address, port) = ListenAddress.Parse(listen);
        builder.Services.AddSingleton(services => new AdoptedConnections(services.GetRequiredService<ILoggerFactory>(), halfClose));
        builder.Services.AddSingleton<IConnectionListenerFactory>(services => services.GetRequiredService<AdoptedConnections>());
        if (halfClose)
        {
            // Registered after Kestrel's socket transport, so Kestrel asks it first for IP endpoints.
            builder.Services.AddSingleton<IConnectionListenerFactory, HalfCloseSocketTransport>();
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;

            // The listen address first (DataPlaneServer reports the first address), then the adopted connections.
            if (address is null && port != 0)
            {
                k.ListenLocalhost(port);
            }
            else
            {
                k.Listen(address ?? System.Net.IPAddress.Loopback, port);
            }

            k.Listen(AdoptedEndPoint.Instance, adopted => adopted.Use(AdoptedConnections.Gate));
        });

        // Every handler here is asynchronous and never blocks, which is what running it on the socket's own
        // completion (rather than queueing it to the thread pool) requires; it saves a thread hop per read.
        builder.WebHost.UseSockets(s => s.UnsafePreferInlineScheduling = true);
        builder.Logging.ClearProviders();

        // Hosting and YARP log each request at Information ("Request starting", "Proxying to"), and hosting opens a
        // logging scope per request whenever its category is enabled at all: in a host that logs Information that is
        // several log records per request per hop. Failures still log (Kestrel, YARP at Warning and above).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
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
