namespace ErieCanal.Orleans.TestSupport;

/// <summary>The bound of an <see cref="Eventually"/> wait passed before its condition held.</summary>
public sealed class EventuallyTimeoutException(string message) : TimeoutException(message);
