namespace ErieCanal.Orleans.DataPlane.Gateway;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Gateway of {Member} listening on {Address}, routing Ingresses of class {IngressClass}")]
    public static partial void Started(this ILogger logger, string member, Uri address, string ingressClass);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Gateway of {Member} reconfigured: {Routes} routes over {Clusters} backends, {Endpoints} ready endpoints")]
    public static partial void Reconfigured(this ILogger logger, string member, int routes, int clusters, int endpoints);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Gateway of {Member}: Ingress {Ingress}: {Reason}")]
    public static partial void PathSkipped(this ILogger logger, string member, string ingress, string reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Error, Message = "Gateway of {Member} could not rebuild its routes; the previous ones stay in force")]
    public static partial void RebuildFailed(this ILogger logger, Exception ex, string member);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Debug, Message = "Gateway of {Member}: no route for {Host}{Path}")]
    public static partial void NoRoute(this ILogger logger, string member, string host, string path);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Warning, Message = "Gateway of {Member}: backend {ClusterId} was not applied to the proxy within {Wait}")]
    public static partial void ClusterNotApplied(this ILogger logger, string member, string clusterId, TimeSpan wait);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Information, Message = "Gateway of {Member}: refused a tunnel for {Service} with {Status}: {Reason}")]
    public static partial void TunnelRefused(this ILogger logger, string member, string service, int status, string reason);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Debug, Message = "Gateway of {Member}: tunnel for {Service} spliced to {Pod}")]
    public static partial void TunnelOpened(this ILogger logger, string member, string service, string pod);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Information, Message = "Gateway of {Member}: tunnel for {Service}: pod {Pod} did not accept ({Error}); trying the next")]
    public static partial void TunnelPodFailed(this ILogger logger, string member, string service, string pod, string error);
}
