using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

internal static partial class WriterLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Cannot watch the ServiceImports of member {ClusterKey} yet: {Message}")]
    public static partial void WatchUnavailable(this ILogger logger, string clusterKey, string message);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Could not delete the ServiceImports of retired member {ClusterKey}: {Message}")]
    public static partial void RetireFailed(this ILogger logger, string clusterKey, string message);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "ServiceImport {Namespace}/{Name} in member {ClusterKey} drifted ({Drift}); writing it again")]
    public static partial void Drifted(this ILogger logger, string clusterKey, string @namespace, string name, string drift);

    [LoggerMessage(EventId = 6120, Level = LogLevel.Information, Message = "ServiceImport {Namespace}/{Name} in member {ClusterKey}: {Reason}: {Detail}")]
    public static partial void RoutingTransition(this ILogger logger, string clusterKey, string @namespace, string name, string reason, string detail);

    [LoggerMessage(EventId = 6121, Level = LogLevel.Warning, Message = "Could not record the {Reason} Event on ServiceImport {Namespace}/{Name} in member {ClusterKey}: {Message}")]
    public static partial void EventFailed(this ILogger logger, string clusterKey, string @namespace, string name, string reason, string message);
}
