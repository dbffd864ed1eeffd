namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// A notification on a member's MCS import channel: the ServiceImport namespace/name changed to <see cref="Import"/>
/// (null: it must not exist). Versioned like <see cref="ImportUpdate"/>, whose <c>ObservedAt</c> and
/// <c>TraceParent</c> these mirror.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsImportUpdate(string Namespace, string Name, long Version, McsMergedImport? Import, DateTimeOffset ObservedAt = default, string? TraceParent = null);
