namespace ErieCanal.Orleans.DataPlane.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Client-side proxy of {Member} ({ClusterKey}) listening on {Address}")]
    public static partial void Started(this ILogger logger, string member, string clusterKey, Uri address);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "Client-side proxy of {Member} rebuilt its routes: {Imports} ServiceImports")]
    public static partial void Rebuilt(this ILogger logger, string member, int imports);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Error, Message = "Client-side proxy of {Member} could not rebuild its routes; the previous ones stay in force")]
    public static partial void RebuildFailed(this ILogger logger, Exception ex, string member);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Information, Message = "Refused {Method} {Target} with {Status}: {Reason}")]
    public static partial void Refused(this ILogger logger, string method, string target, int status, string reason);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Information, Message = "{Service}: {Address} answered {Status}; retrying on {Next}")]
    public static partial void RetryingAfterStatus(this ILogger logger, string service, string address, int status, string next);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Information, Message = "{Service}: {Address} failed ({Error}); retrying on {Next}")]
    public static partial void RetryingAfterFailure(this ILogger logger, string service, string address, string error, string next);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Warning, Message = "{Service}: {Address} failed ({Error}); no retry")]
    public static partial void Failed(this ILogger logger, string service, string address, string error);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Warning, Message = "{Service}: ejected {Address} of {Cluster} for {CoolOff} after consecutive failures")]
    public static partial void Ejected(this ILogger logger, string service, string address, string cluster, TimeSpan coolOff);

    [LoggerMessage(EventId = 8109, Level = LogLevel.Information, Message = "Listening on port {Port} for {Service} ({Protocol})")]
    public static partial void ListenerOpened(this ILogger logger, int port, string service, string protocol);

    [LoggerMessage(EventId = 8110, Level = LogLevel.Information, Message = "Closed the listener on port {Port} ({Service}); its open connections run on")]
    public static partial void ListenerClosed(this ILogger logger, int port, string service);

    [LoggerMessage(EventId = 8111, Level = LogLevel.Warning, Message = "Cannot listen on port {Port} for {Service} ({Error}); trying again at the next change")]
    public static partial void ListenFailed(this ILogger logger, int port, string service, string error);

    [LoggerMessage(EventId = 8112, Level = LogLevel.Warning, Message = "Not listening on port {Port}: {Reason}")]
    public static partial void ListenerRefused(this ILogger logger, int port, string reason);

    [LoggerMessage(EventId = 8113, Level = LogLevel.Warning, Message = "{Service}: a TCP connection arrived but the routing of MCS imports is not available to the proxy yet; closed")]
    public static partial void NoMcsRoute(this ILogger logger, string service);

    [LoggerMessage(EventId = 8114, Level = LogLevel.Warning, Message = "{Service}: a TCP connection arrived but the import routes that port nowhere; closed")]
    public static partial void NoTcpRoute(this ILogger logger, string service);

    [LoggerMessage(EventId = 8115, Level = LogLevel.Information, Message = "{Service}: opening a TCP upstream through {Address} failed ({Error})")]
    public static partial void TcpAttemptFailed(this ILogger logger, string service, string address, string error);

    [LoggerMessage(EventId = 8116, Level = LogLevel.Warning, Message = "{Service}: no endpoint took the TCP connection ({Attempts} tried); closed")]
    public static partial void TcpFailed(this ILogger logger, string service, int attempts);

    [LoggerMessage(EventId = 8117, Level = LogLevel.Warning, Message = "{Service}: a listener's connection failed")]
    public static partial void ConnectionFailed(this ILogger logger, Exception ex, string service);
}
