namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>A watch stream reported an error other than 410 (an ERROR event, or a line that did not parse).</summary>
internal sealed class WatchStreamException(string message, Exception inner) : Exception(message, inner);
