using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>Log messages of <see cref="ResourceInformer{T}"/> (event ids 2100-2199).</summary>
internal static partial class InformerLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Listed {Count} {Source} at resourceVersion {ResourceVersion}: {Upserts} upserted, {Deletes} deleted")]
    public static partial void Listed(this ILogger logger, string source, int count, string resourceVersion, int upserts, int deletes);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Listing {Source} failed ({Message}); retrying with backoff, logged again when it recovers")]
    public static partial void ListFailed(this ILogger logger, string source, string message);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Watching {Source} from resourceVersion {ResourceVersion}")]
    public static partial void WatchStarted(this ILogger logger, string source, string resourceVersion);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "The watch of {Source} ended at resourceVersion {ResourceVersion}; watching again")]
    public static partial void WatchEnded(this ILogger logger, string source, string resourceVersion);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Watching {Source} failed at resourceVersion {ResourceVersion} ({Message}); retrying with backoff, logged again when it recovers")]
    public static partial void WatchFailed(this ILogger logger, string source, string resourceVersion, string message);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "{Source} still failing ({Message}); retrying in {Delay}")]
    public static partial void StillFailing(this ILogger logger, string source, string message, TimeSpan delay);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "The history of {Source} expired ({Reason}); relisting")]
    public static partial void Expired(this ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "No event nor bookmark from {Source} for {Watchdog}; restarting the watch")]
    public static partial void WatchdogTripped(this ILogger logger, string source, TimeSpan watchdog);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Error, Message = "The handler failed on {Action} of {Key} from {Source}; it is redelivered on the next relist")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string action, string key, string source);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Information, Message = "Watching {Source} again after a failure")]
    public static partial void Recovered(this ILogger logger, string source);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Stopped informing on {Source}")]
    public static partial void Stopped(this ILogger logger, string source);
}
