namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>The server no longer has the history to continue from a resourceVersion (410 Gone): relist.</summary>
public sealed class ResourceExpiredException(string message) : Exception(message);
