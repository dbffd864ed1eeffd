using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>
/// A test-owned Kestrel server on a loopback address that records every request as it arrived (the raw request
/// target, so an absolute-form proxy request is visible) and answers by path:
/// <c>/status/{code}</c> with that code, <c>/redirect</c> with a 302 to <c>/landing</c>, <c>/hang</c> never,
/// anything else with a body that describes the request (no trailing newline).
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingHttpServer(WebApplication app, IPAddress address)
    {
        _app = app;
        Address = address;
    }

    public IPAddress Address { get; }

    public int Port { get; private set; }

    public Uri Url => new($"http://{Address}:{Port}");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<RecordingHttpServer> StartAsync(IPAddress address)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(address, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingHttpServer(app, address);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.Port = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).First();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        var recorded = new RecordedRequest(request.Method, context.Features.Get<IHttpRequestFeature>()!.RawTarget, request.Host.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
        Requests.Enqueue(recorded);
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/status/", StringComparison.Ordinal) && int.TryParse(path[8..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            context.Response.StatusCode = code;
            await context.Response.WriteAsync($"status {code}", context.RequestAborted);
            return;
        }

        switch (path)
        {
            case "/redirect":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = "/landing";
                return;
            case "/hang":
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
        }

        context.Response.ContentType = "text/plain";
        context.Response.Headers["X-Served-By"] = "recording";
        await context.Response.WriteAsync($"{recorded.Method} {recorded.Target} host={recorded.Host}{(body.Length > 0 ? " body=" + body : "")}", context.RequestAborted);
    }
}

public sealed record RecordedRequest(string Method, string Target, string Host, IReadOnlyDictionary<string, string> Headers, string Body);
