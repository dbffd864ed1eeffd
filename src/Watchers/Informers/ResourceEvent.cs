using k8s;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>One watch event; a bookmark has no object, only the resourceVersion it vouches for.</summary>
public sealed record ResourceEvent<T>(WatchEventType Type, T? Object, string ResourceVersion);
