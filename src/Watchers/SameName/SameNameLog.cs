using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.SameName;

/// <summary>Log lines of the same-name Service writers (event ids 7401-7420).</summary>
internal static partial class SameNameLog
{
    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "Member {ClusterKey}: Service {Namespace}/{Name} exists and is not ours; the imported service is reached through it as the user wrote it (our same-name Service is not written)")]
    public static partial void ServiceTaken(this ILogger logger, string clusterKey, string @namespace, string name);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Information, Message = "Member {ClusterKey}: same-name Services point at the client-side proxy {Service} ({Endpoints}); {Services} to rewrite")]
    public static partial void ProxyFound(this ILogger logger, string clusterKey, string service, string endpoints, int services);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Warning, Message = "Member {ClusterKey}: the client-side proxy could not be read ({Message}); same-name Services keep their endpoints")]
    public static partial void ProxyReadFailed(this ILogger logger, string clusterKey, string message);
}
