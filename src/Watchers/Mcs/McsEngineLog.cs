using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>Log lines of the MCS engines (event ids 7301-7320).</summary>
internal static partial class McsEngineLog
{
    [LoggerMessage(EventId = 7301, Level = LogLevel.Debug, Message = "Could not record the {Reason} Event on multicluster ServiceExport {Namespace}/{Name} in member {ClusterKey}: {Message}")]
    public static partial void McsExportEventFailed(this ILogger logger, string clusterKey, string @namespace, string name, string reason, string message);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "The MCS export engine of member {ClusterKey} stops with {Pending} exports' work not done (they keep failing)")]
    public static partial void McsExportStoppedWithWork(this ILogger logger, string clusterKey, int pending);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Member {ClusterKey} left, but the MCS objects written into it could not all be removed ({Message}); the member keeps them")]
    public static partial void McsRetireFailed(this ILogger logger, string clusterKey, string message);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "Member {ClusterKey}: derived Services point at the client-side proxy {Service} ({Endpoints}); {Imports} imports' endpoints to rewrite")]
    public static partial void ProxyFound(this ILogger logger, string clusterKey, string service, string endpoints, int imports);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Warning, Message = "Member {ClusterKey}: the client-side proxy could not be read ({Message}); derived Services keep their endpoints")]
    public static partial void ProxyReadFailed(this ILogger logger, string clusterKey, string message);
}
