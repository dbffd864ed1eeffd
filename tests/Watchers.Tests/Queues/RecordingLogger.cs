using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Tests.Queues;

/// <summary>Keeps every log line (level, event id, message, whether an exception was attached).</summary>
public sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Event, string Message, bool HasException)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, eventId, formatter(state, exception), exception is not null));

    public int Count(LogLevel atLeast) => Lines.Count(l => l.Level >= atLeast);
}
