namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>A watch stayed silent (no event, no bookmark) longer than the watchdog allows: a hung connection.</summary>
internal sealed class WatchdogTimeoutException(string message, Exception? inner) : TimeoutException(message, inner);
