namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// Thrown by an <see cref="Eventually"/> probe that knows the condition can never hold (the process it waits for
/// exited): the wait ends at once with this error instead of retrying until its bound.
/// </summary>
public sealed class WaitAbortedException(string message) : Exception(message);
