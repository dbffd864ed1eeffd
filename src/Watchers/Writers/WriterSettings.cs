using ErieCanal.Orleans.Watchers.Queues;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>How one member's writer engine runs: concurrent writes, the retry contract, and its stop bound.</summary>
public sealed record WriterSettings(int Concurrency, RetryOptions Retry, TimeSpan StopTimeout);
