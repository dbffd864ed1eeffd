using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Queues;

/// <summary>A queue logs when it starts failing and when it recovers, never once per retry.</summary>
internal static partial class QueueLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "{Queue}: work on {Key} failed ({Message}); retrying with backoff, quiet until it recovers")]
    public static partial void Failing(this ILogger logger, string queue, string key, string message);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "{Queue}: recovered after {Failures} failed attempts")]
    public static partial void Recovered(this ILogger logger, string queue, int failures);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Debug, Message = "{Queue}: {Key} failed again (attempt {Attempt}, next in {Delay}): {Message}")]
    public static partial void FailedAgain(this ILogger logger, string queue, string key, int attempt, TimeSpan delay, string message);
}
