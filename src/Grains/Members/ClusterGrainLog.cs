using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>Log lines of a member's grain (event ids 7001-7010).</summary>
internal static partial class ClusterGrainLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Member {ClusterKey} registered at resourceVersion {ResourceVersion}")]
    public static partial void Upserted(this ILogger logger, string clusterKey, string resourceVersion);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Member {ClusterKey} is leaving: withdrawing its exports and imports")]
    public static partial void Removing(this ILogger logger, string clusterKey);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Member {ClusterKey} health: {Healthy} ({Reason}: {Message})")]
    public static partial void HealthChanged(this ILogger logger, string clusterKey, bool healthy, string reason, string message);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "Could not publish the health of member {ClusterKey}: {Message}")]
    public static partial void PublishFailed(this ILogger logger, string clusterKey, string message);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Member grain {ClusterKey} moves to a silo of its region")]
    public static partial void MovingHome(this ILogger logger, string clusterKey);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Could not rewrite the state of member {ClusterKey} without its inline kubeconfig ({Message}); its next write does")]
    public static partial void StripFailed(this ILogger logger, string clusterKey, string message);
}
