using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// A stand-in for a member's ingress gateway on 127.0.0.1: it answers HTTP so health probes have something real to
/// reach, and it can be stopped and started to simulate a gateway outage.
/// </summary>
public sealed class SandboxGateway(string clusterName) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;

    public int Port { get; private set; }

    public bool Running => _app is not null;

    public async Task StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port == 0 ? Port : port));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Run(context => context.Response.WriteAsync($"gateway of sandbox cluster {clusterName}\n", context.RequestAborted));
            await app.StartAsync(cancellationToken);
            Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            _app = app;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_app is { } app)
            {
                _app = null;
                await app.StopAsync(TimeSpan.FromSeconds(2) is var grace ? new CancellationTokenSource(grace).Token : default);
                await app.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gate.Dispose();
    }
}
