namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One ServiceExport in one member (key: <c>clusterKey|namespace/name</c>). Decides validity, contributes to the
/// ServiceImportGrain of its service, and writes Valid/Conflict conditions back to the ServiceExport.
/// </summary>
[Alias("ErieCanal.IServiceExportGrain")]
public interface IServiceExportGrain : IGrainWithStringKey
{
    [Alias("Observe")]
    Task Observe(ExportObservation observation);

    [Alias("SetConflict")]
    Task SetConflict(ConflictVerdict verdict);

    [Alias("GetStatus")]
    Task<ExportStatus> GetStatus();
}

[GenerateSerializer, Immutable]
public sealed record ExportStatus(bool Exists, bool Valid, string ValidReason, string ValidMessage, ConflictVerdict Conflict);
