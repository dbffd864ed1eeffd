using System.Net;
using System.Text;
using ErieCanal.Orleans.Sandbox.Faults;

namespace ErieCanal.Orleans.Sandbox.Pods;

/// <summary>
/// What a simulated container with ports runs: HTTP/1.1 on the pod IP and each TCP container port, answering every
/// request with 200 and the pod name and a newline (the seed's pipy script answers <c>os.env['HOSTNAME'] + '\n'</c>),
/// unless its Deployment carries a fault.
/// </summary>
public sealed class PodServer : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    private readonly WebApplication _app;
    private readonly byte[] _body;
    private readonly WorkloadFaults _faults;
    private readonly (string Namespace, string Deployment)? _workload;
    private readonly CancellationTokenSource _stopping = new();

    private PodServer(WebApplication app, string podName, WorkloadFaults faults, (string, string)? workload, IPAddress address, IReadOnlyList<int> ports)
    {
        _app = app;
        _body = Encoding.UTF8.GetBytes(podName + "\n");
        _faults = faults;
        _workload = workload;
        Address = address;
        Ports = ports;
    }

    public IPAddress Address { get; }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Starts listening on <paramref name="address"/> and every port; throws when one cannot be bound.</summary>
    public static async Task<PodServer> StartAsync(string podName, IPAddress address, IReadOnlyList<int> ports, WorkloadFaults faults, (string Namespace, string Deployment)? workload, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            foreach (var port in ports)
            {
                k.Listen(address, port);
            }
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new PodServer(app, podName, faults, workload, address, ports);
        app.Run(server.AnswerAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var fault = _workload is var (ns, deployment) ? _faults.Get(ns, deployment) : WorkloadFault.None;
        var response = context.Response;
        switch (fault.Mode)
        {
            case WorkloadFaultMode.Hang:
                await HangAsync(context);
                return;
            case WorkloadFaultMode.Latency:
                await Task.Delay(fault.Latency, context.RequestAborted);
                break;
            case WorkloadFaultMode.Error:
                response.StatusCode = fault.Code;
                response.ContentType = "text/plain";
                await response.WriteAsync($"injected fault: {fault.Code}\n", context.RequestAborted);
                return;
        }

        response.StatusCode = 200;
        response.ContentType = "text/plain";
        response.ContentLength = _body.Length;
        await response.Body.WriteAsync(_body, context.RequestAborted);
    }

    /// <summary>Reads the request and never answers, until the client gives up or the pod goes away.</summary>
    private async Task HangAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        _faults.HangStarted();
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
        finally
        {
            _faults.HangEnded();
        }
    }

    /// <summary>Stops listening; requests in flight get a short grace, hanging ones are cut.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using (var grace = new CancellationTokenSource(StopGrace))
        {
            await _app.StopAsync(grace.Token);
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
