using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.DataPlane.Telemetry;
using ErieCanal.Orleans.DataPlane.Tunnel;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// The gateway's end of the TCP tunnels: an HTTP/1.1 Upgrade request (<c>Upgrade: erie-canal-tunnel</c>) naming an
/// exported service port in <see cref="DataPlaneHeaders.Tunnel"/> is answered 101 once a ready pod of that port
/// accepted a connection (round-robin, the next pod on a refusal), then the bytes are spliced as they are, a
/// half-close passed on each way. Refusals say why: 400 malformed, 403 not exported, 404 unknown service or port,
/// 503 no ready pod, 502 every pod refused, 508 a loop (the request passed a proxy of this member and then another proxy: it came back around; the member's
/// own proxy tunnelling to its own gateway is no loop).
/// </summary>
internal sealed class GatewayTunnels(Func<TunnelTargets> targets, DataPlaneMetrics metrics, string member, string cluster, TimeSpan connectTimeout, ILogger logger)
{
    private readonly ConcurrentDictionary<string, Counter> _next = new(StringComparer.Ordinal);

    /// <summary>Whether the request asks for a tunnel (then this handles it, whatever the outcome).</summary>
    public static bool IsTunnel(HttpContext context) => context.Request.Headers.ContainsKey(DataPlaneHeaders.Tunnel);

    public async Task HandleAsync(HttpContext context)
    {
        var requested = context.Request.Headers[DataPlaneHeaders.Tunnel].ToString();
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }
            || !context.Request.Headers.Upgrade.ToString().Contains(DataPlaneHeaders.TunnelProtocol, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, requested, StatusCodes.Status400BadRequest, "bad_request", $"a tunnel is an HTTP/1.1 Upgrade request: Connection: Upgrade, Upgrade: {DataPlaneHeaders.TunnelProtocol}");
            return;
        }

        if (TunnelName.Parse(requested) is not { } name)
        {
            await RefuseAsync(context, requested, StatusCodes.Status400BadRequest, "bad_request", $"{DataPlaneHeaders.Tunnel} must name a service port as svc.ns:port, not '{requested}'");
            return;
        }

        var service = name.ToString();
        if (DataPlaneHeaders.HopsIncludeBeforeLast(context.Request.Headers[DataPlaneHeaders.Hop], cluster))
        {
            await RefuseAsync(context, service, StatusCodes.Status508LoopDetected, "loop", $"loop: this tunnel for {service} already passed a proxy of {member} ({DataPlaneHeaders.Hop}: {context.Request.Headers[DataPlaneHeaders.Hop]})");
            return;
        }

        var (status, refusal, pods) = targets().Resolve(name, member);
        if (refusal is not null)
        {
            var reason = status switch
            {
                StatusCodes.Status403Forbidden => "not_exported",
                StatusCodes.Status404NotFound => "not_found",
                _ => "no_endpoint",
            };
            await RefuseAsync(context, service, status, reason, refusal);
            return;
        }

        using var pod = await ConnectAsync(service, pods, context.RequestAborted);
        if (pod is null)
        {
            await RefuseAsync(context, service, StatusCodes.Status502BadGateway, "refused", $"no ready endpoint of {service} on {member} accepted the connection");
            return;
        }

        // A tunnel lives as long as its connection: no body size or data rate limits.
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } readRate)
        {
            readRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } writeRate)
        {
            writeRate.MinDataRate = null;
        }

        metrics.Connection(cluster, service);
        var stream = await upgrade.UpgradeAsync();

        // The 101 leaves before the socket changes hands.
        await stream.FlushAsync(context.RequestAborted);
        var client = context.Features.Get<ISocketTakeOverFeature>()?.TakeOver() is { } taken
            ? SpliceEnd.Of(taken.Socket, taken.Buffered, taken.Gate)
            : StreamEnd(context, stream);
        logger.TunnelOpened(member, service, pod.RemoteEndPoint?.ToString() ?? "");
        await Splice.RunAsync(
            client,
            SpliceEnd.Of(pod),
            bytes => metrics.ConnectionBytes(cluster, service, sent: true, bytes),
            bytes => metrics.ConnectionBytes(cluster, service, sent: false, bytes),
            context.RequestAborted);
    }

    // Through Kestrel's upgraded stream, where the transport cannot hand its socket over.
    private static SpliceEnd StreamEnd(HttpContext context, Stream stream)
    {
        var halfClose = context.Features.Get<IHalfCloseFeature>();
        return SpliceEnd.Of(stream, async () =>
        {
            await stream.FlushAsync();
            if (halfClose is not null)
            {
                halfClose.ShutdownSend();
            }
            else
            {
                // A transport that cannot half-close: ending the tunnel is all that is left.
                context.Abort();
            }
        });
    }

    // Round-robin over the ready pods, the next one on a refusal or a connect timeout.
    private async Task<Socket?> ConnectAsync(string service, IReadOnlyList<PodEndpoint> pods, CancellationToken cancellationToken)
    {
        var start = (int)((uint)Interlocked.Increment(ref _next.GetOrAdd(service, _ => new Counter()).Value) % (uint)pods.Count);
        for (var i = 0; i < pods.Count; i++)
        {
            var pod = pods[(start + i) % pods.Count];
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(IPAddress.Parse(pod.Ip), pod.Port, timeout.Token);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                logger.TunnelPodFailed(member, service, pod.Authority, ex is SocketException s ? s.SocketErrorCode.ToString() : "timeout");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return null;
    }

    private async Task RefuseAsync(HttpContext context, string service, int status, string reason, string message)
    {
        metrics.ConnectionFailure(cluster, service, reason);
        logger.TunnelRefused(member, service, status, message);
        await DataPlaneApp.WriteTextAsync(context, status, message + "\n");
    }

    private sealed class Counter
    {
        public int Value;
    }
}
