using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Exports;

internal static partial class ExportWriterLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Could not record the {Reason} Event on ServiceExport {Namespace}/{Name} in member {ClusterKey}: {Message}")]
    public static partial void ExportEventFailed(this ILogger logger, string clusterKey, string @namespace, string name, string reason, string message);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "The export engine of member {ClusterKey} stops with {Pending} exports' work not done (they keep failing)")]
    public static partial void StoppedWithWork(this ILogger logger, string clusterKey, int pending);
}
