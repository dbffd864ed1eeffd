namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// A multicluster.x-k8s.io ServiceExport as observed. <see cref="ResourceVersion"/> and <see cref="HasStatus"/> let
/// its condition owner write the first status without reading it again (as <see cref="ExportSpec"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsExportSpec(
    string Uid,
    DateTimeOffset CreatedAt,
    long Generation,
    string ResourceVersion,
    bool HasStatus,
    McsMap ExportedLabels,
    McsMap ExportedAnnotations);
