namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A notification on a member's import stream: the ServiceImport namespace/name changed to <see cref="Import"/>
/// (null: it must not exist there). Versioned, so a writer can drop stale or repeated notifications.
/// <see cref="ObservedAt"/> is when the service's grain took the export change that led to it (the start of the
/// propagation latency) and <see cref="TraceParent"/> the W3C trace context of that change: the channel carries no
/// Activity, so the writer continues the export change's trace from it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportUpdate(string Namespace, string Name, long Version, MergedImport? Import, DateTimeOffset ObservedAt = default, string? TraceParent = null);
