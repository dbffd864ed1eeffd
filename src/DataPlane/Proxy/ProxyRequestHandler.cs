using ErieCanal.Orleans.DataPlane.Proxy.Listeners;
using ErieCanal.Orleans.DataPlane.Telemetry;
using ErieCanal.Orleans.Interfaces;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The proxy's one request handler: takes an absolute-form http:// request for a Service (explicit proxy), or an
/// origin-form one whose Host names a Service (transparent: it came through a derived Service), resolves it through
/// the routing table and forwards it, retrying once elsewhere on a connection failure or a 5xx when the
/// method is idempotent.
/// </summary>
internal sealed class ProxyRequestHandler(
    Func<ProxyRouteTable> table,
    Func<bool> ready,
    IHttpForwarder forwarder,
    ProxyInvokers invokers,
    ForwarderRequestConfig requestConfig,
    OutlierDetector outliers,
    DataPlaneMetrics metrics,
    ProxyOptions options,
    IMcsRoutes mcsRoutes,
    ILogger logger)
{
    public const string NotFoundBody = "Not found";

    public async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        if (HttpMethods.IsConnect(method))
        {
            context.Response.Headers.Allow = "GET, HEAD, OPTIONS, TRACE, PUT, DELETE, POST, PATCH";
            await RefuseAsync(context, rawTarget, StatusCodes.Status405MethodNotAllowed,
                "CONNECT tunnels are not supported by this proxy: send plain http:// requests (curl -x <proxy> http://svc.ns:port/)");
            return;
        }

        var sentHops = context.Request.Headers[DataPlaneHeaders.Hop];
        if (DataPlaneHeaders.HopsInclude(sentHops, options.ClusterKey))
        {
            await RefuseAsync(context, rawTarget, StatusCodes.Status508LoopDetected,
                $"loop: this request already passed this proxy ({DataPlaneHeaders.Hop}: {sentHops}); a request that reached a Service through a proxy is never sent back out through it");
            return;
        }

        var hops = DataPlaneHeaders.AppendHop(sentHops.ToString(), options.ClusterKey);
        ProxyRequestTarget? target;
        string? problem;
        if (rawTarget.StartsWith('/') && context.Features.Get<ListenerRoute>() is { } listener
            && ServiceHostName.ParseAny(HostName(context.Request.Headers.Host.ToString()), options.ClusterDomain) is null)
        {
            // Arrived on a per-port listener with a Host that names no Service (a ClusterIP): the listener's service.
            target = ProxyRequestTarget.FromOriginForm(rawTarget, context.Request.Headers.Host is { Count: > 0 } h ? h.ToString() : listener.Service, out problem);
            var listenerRoute = listener.Kind == ProxyListeners.FlomeshKind
                ? table().Resolve(listener.Namespace, listener.ImportName, listener.ServicePort)
                : mcsRoutes.Resolve(listener.Namespace, listener.ImportName, listener.ServicePort);
            if (target is null)
            {
                await RefuseAsync(context, rawTarget, StatusCodes.Status400BadRequest, problem!);
            }
            else if (listenerRoute is null)
            {
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, listener.Kind == ProxyListeners.McsKind
                    ? $"{listener.Service}: the routing of MCS imports is not available to this proxy yet"
                    : $"{listener.Service}: the import routes this port nowhere");
            }
            else
            {
                await ForwardAsync(context, listenerRoute, target, hops);
            }

            return;
        }

        if (rawTarget.StartsWith('/'))
        {
            // Origin-form: a request that came through a derived Service (transparent), routed by its Host; or, with a
            // Host that names no Service (an address, as a kubelet sends), the proxy's own probes.
            var host = context.Request.Headers.Host.ToString();
            var hostName = HostName(host);
            if (ServiceHostName.ParseAny(hostName, options.ClusterDomain) is null)
            {
                if (rawTarget is "/healthz" or "/readyz" && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
                {
                    var (status, body) = rawTarget == "/healthz" ? (StatusCodes.Status200OK, "ok")
                        : ready() ? (StatusCodes.Status200OK, "ready") : (StatusCodes.Status503ServiceUnavailable, "informers not synced");
                    await WriteAsync(context, status, body);
                    return;
                }

                await RefuseAsync(context, rawTarget, StatusCodes.Status400BadRequest, ServiceHostName.IsBareName(hostName)
                    ? $"Host '{host}' is a bare Service name: name its namespace too (http://{hostName}.<namespace>/ or {hostName}.<namespace>.svc.clusterset.local)"
                    : $"Host '{host}' names no Service: send the request to svc.ns[.svc[.cluster.local|.clusterset.local]][:port], or the absolute URL through the proxy (curl -x <proxy> http://svc.ns:port/)");
                return;
            }

            target = ProxyRequestTarget.FromOriginForm(rawTarget, host, out problem);
        }
        else
        {
            target = ProxyRequestTarget.Parse(rawTarget, out problem);
        }

        if (target is null)
        {
            await RefuseAsync(context, rawTarget, StatusCodes.Status400BadRequest, problem!);
            return;
        }

        var current = table();
        var service = ServiceHostName.ParseAny(target.Host, options.ClusterDomain);
        var route = service is var (ns, name) ? current.Resolve(ns, name, target.Port) : null;
        if (route is null)
        {
            // An import that routes nowhere is the seed's plain "Not found"; a name no import gives says why.
            await WriteAsync(context, StatusCodes.Status404NotFound, service is var (ins, iname) && current.HasImport(ins, iname)
                ? NotFoundBody
                : $"{NotFoundBody}: no ServiceImport in this cluster names {target.Authority}; the proxy forwards only imported services");
            return;
        }

        await ForwardAsync(context, route, target, hops);
    }

    private async Task ForwardAsync(HttpContext context, ServiceRoute route, ProxyRequestTarget target, string hops)
    {
        var idempotent = IsIdempotent(context.Request.Method);
        if (idempotent && (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0))
        {
            // Buffered as it streams through, so a retry can send the same body again (nothing to buffer without a body).
            context.Request.EnableBuffering();
        }

        var host = context.Request.Headers.Host is { Count: > 0 } sent ? sent.ToString() : target.Authority;
        var address = route.Pick(null, ProxyTier.Active, ProxyTier.Standby, outliers);
        if (address is null)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"no ready endpoint for {route.Service}");
            return;
        }

        // At most two attempts: the first, and one retry elsewhere; so "tried" is the first attempt's address.
        for (var attempt = 0; ; attempt++)
        {
            var current = address;
            var mayRetry = idempotent && attempt == 0 && CanRetryElsewhere(route, current);

            // Only an attempt that has somewhere else to go is cut short by the per-try timeout: the last one waits.
            var transformer = new AttemptTransformer(route, current, target.PathAndQuery, host, hops, mayRetry && options.Retry == RetryPolicy.AnyEndpoint, outliers);
            metrics.Request(current.ClusterKey, route.Service);
            var error = await forwarder.SendAsync(context, current.Origin, mayRetry ? invokers.PerTry : invokers.Plain, requestConfig, transformer);
            if (transformer.HeldBack && transformer.Next is { } retry)
            {
                Failed(route, current, AttemptFailure.Status5xx);
                metrics.Retry(current.ClusterKey, route.Service);
                logger.RetryingAfterStatus(route.Service, current.Key, transformer.HeldBackStatus, retry.Key);
                Reset(context);
                address = retry;
                continue;
            }

            if (error is ForwarderError.None)
            {
                if (context.Response.StatusCode >= 500)
                {
                    Failed(route, current, AttemptFailure.Status5xx);
                }
                else
                {
                    outliers.Succeeded(route.Service, current);
                }

                return;
            }

            var failure = AttemptFailures.Of(error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
            if (failure is { } endpointFailure)
            {
                Failed(route, current, endpointFailure);
            }

            var unreached = error is ForwarderError.Request or ForwarderError.RequestTimedOut;
            var next = unreached && mayRetry && !context.Response.HasStarted ? PickRetry(route, current) : null;
            if (next is not null)
            {
                metrics.Retry(current.ClusterKey, route.Service);
                logger.RetryingAfterFailure(route.Service, current.Key, failure?.Label() ?? error.ToString(), next.Key);
                Reset(context);
                address = next;
                continue;
            }

            logger.Failed(route.Service, current.Key, failure?.Label() ?? error.ToString());
            if (!context.Response.HasStarted && error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled))
            {
                var status = failure is AttemptFailure.Timeout ? StatusCodes.Status504GatewayTimeout : context.Response.StatusCode;
                await WriteAsync(context, status, $"no endpoint of {route.Service} answered ({failure?.Label() ?? error.ToString()})");
            }

            return;
        }
    }

    // AnyEndpoint: any other address, another cluster's first (a scaled-down or broken cluster fails all its pods at
    // once), Active first. StandbyOnly (ErieCanal): from an Active endpoint to a Standby one only.
    private bool CanRetryElsewhere(ServiceRoute route, ProxyAddress current) => options.Retry == RetryPolicy.AnyEndpoint
        ? route.HasOther(current, ProxyTier.Active, ProxyTier.Standby)
        : route.TierOf(current) == ProxyTier.Active && route.HasOther(current, ProxyTier.Standby, ProxyTier.Standby);

    private ProxyAddress? PickRetry(ServiceRoute route, ProxyAddress current) => options.Retry == RetryPolicy.AnyEndpoint
        ? route.PickElsewhere(current, ProxyTier.Active, ProxyTier.Standby, outliers)
        : route.TierOf(current) == ProxyTier.Active ? route.Pick(current, ProxyTier.Standby, ProxyTier.Standby, outliers) : null;

    private void Failed(ServiceRoute route, ProxyAddress address, AttemptFailure failure)
    {
        metrics.Failure(address.ClusterKey, route.Service, failure.Label());
        outliers.Failed(route.Service, address);
    }

    // RFC 9110 §9.2.2; Kestrel hands out interned method strings, so these are reference compares.
    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private static void Reset(HttpContext context)
    {
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }
    }

    // The host of a Host header (without its port; an IPv6 literal keeps its brackets, so it never parses as a name).
    private static string HostName(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
    }

    private async Task RefuseAsync(HttpContext context, string rawTarget, int status, string reason)
    {
        logger.Refused(context.Request.Method, rawTarget, status, reason);
        await WriteAsync(context, status, reason + "\n");
    }

    private static async Task WriteAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
