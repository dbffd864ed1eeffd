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
}
