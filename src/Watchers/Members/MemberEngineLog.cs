using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>Log lines of the member engine (event ids 7201-7210).</summary>
internal static partial class MemberEngineLog
{
    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Member {ClusterKey} is torn down: {Exports} exports told, writer retired, Ingresses swept, claim released")]
    public static partial void TornDown(this ILogger logger, string clusterKey, int exports);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Could not release member {Name} cleanly after {Attempts} attempts, giving up: {Message}")]
    public static partial void ReleaseFailed(this ILogger logger, string name, int attempts, string message);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Debug, Message = "Dropped an Event for Cluster {ClusterKey} after {Attempts} attempts ({Reason}): {Message}")]
    public static partial void EventDropped(this ILogger logger, string clusterKey, int attempts, string reason, string message);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Information, Message = "Member {ClusterKey} joined again: the rest of its teardown is dropped")]
    public static partial void TeardownCancelled(this ILogger logger, string clusterKey);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning, Message = "Member {ClusterKey} has no usable cluster id ({Reason}): {Message}")]
    public static partial void ClusterIdUnusable(this ILogger logger, string clusterKey, string reason, string message);
}
