using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>
/// A test-owned "pod": Kestrel on its own 127.x address, answering its name and a newline (as the seed's pipy
/// script does) and remembering what it was sent. Can answer 500, or hold requests until released.
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private static int _next;
    private readonly WebApplication _app;
    private volatile TaskCompletionSource? _hold;

    private Backend(string name, WebApplication app, IPEndPoint endPoint)
    {
        Name = name;
        _app = app;
        EndPoint = endPoint;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public string Ip => EndPoint.Address.ToString();

    public int Port => EndPoint.Port;

    /// <summary>Answer every request with this status (and the name) instead of 200.</summary>
    public int Status { get; set; } = 200;

    /// <summary>When set, the headers are sent at once and the body only after this pause (a slow stream).</summary>
    public TimeSpan? BodyPause { get; set; }

    public int Hits => Requests.Count;

    public System.Collections.Concurrent.ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>A loopback address of its own, so tests can tell pods apart by address as a cluster would.</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref _next) + (Environment.ProcessId % 50 * 1000);
        return new IPAddress([127, 66, (byte)(n / 250 % 250), (byte)(n % 250 + 1)]);
    }

    /// <summary>An address and port nothing listens on (connections are refused).</summary>
    public static IPEndPoint Refusing()
    {
        var address = NextAddress();
        using var probe = new System.Net.Sockets.TcpListener(address, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new IPEndPoint(address, port);
    }

    public static async Task<Backend> StartAsync(string name)
    {
        var address = NextAddress();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:0");
        var app = builder.Build();
        Backend? self = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            self!.Requests.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Host.Value ?? "", body));
            if (self._hold is { } hold)
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            context.Response.StatusCode = self.Status;
            if (self.BodyPause is { } pause)
            {
                await context.Response.StartAsync(context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(pause, context.RequestAborted);
            }

            await context.Response.WriteAsync(self.Name + "\n", context.RequestAborted);
        });
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        self = new Backend(name, app, new IPEndPoint(IPAddress.Parse(bound.Host), bound.Port));
        return self;
    }

    /// <summary>From now on requests wait (after being recorded) until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release()
    {
        var hold = _hold;
        _hold = null;
        hold?.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record SeenRequest(string Method, string PathAndQuery, string Host, string Body);
}
