using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// What answers behind a member's gateway address while no real gateway is its upstream: <c>GET /healthz</c> is
/// 200 <c>ok</c>, anything else 404 <c>Service Not Found</c>, as a gateway without routes answers.
/// </summary>
internal sealed class GatewayStandIn : IAsyncDisposable
{
    private static readonly byte[] Ok = "ok"u8.ToArray();
    private static readonly byte[] NotFound = "Service Not Found"u8.ToArray();

    private readonly WebApplication _app;

    private GatewayStandIn(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public static async Task<GatewayStandIn> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(AnswerAsync);
        await app.StartAsync(cancellationToken);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new GatewayStandIn(app, new IPEndPoint(IPAddress.Loopback, port));
    }

    private static Task AnswerAsync(HttpContext context)
    {
        var healthz = context.Request.Path == "/healthz" && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
        var body = healthz ? Ok : NotFound;
        context.Response.StatusCode = healthz ? 200 : 404;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await _app.StopAsync(grace.Token);
        }

        await _app.DisposeAsync();
    }
}
