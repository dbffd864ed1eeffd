namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A notification on a member's import stream: the ServiceImport namespace/name changed to <see cref="Import"/>
/// (null: it must not exist there). Versioned, so a writer can drop stale or repeated notifications.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportUpdate(string Namespace, string Name, long Version, MergedImport? Import);
