namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>A consistent list of objects and the resourceVersion to watch from afterwards.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion);
