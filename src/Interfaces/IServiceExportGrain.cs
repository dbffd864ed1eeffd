using Orleans.Concurrency;

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

    /// <summary>One-way: the ServiceImportGrain tells every export its verdict without waiting, so two exports of one
    /// service contributing at once can never wait on each other.</summary>
    [Alias("SetConflict")]
    [OneWay]
    Task SetConflict(ConflictVerdict verdict);

    /// <summary>One silo's probes of the export's path through its member's gateway (5xx = failed).</summary>
    [Alias("ReportPathProbe")]
    [AlwaysInterleave]
    Task ReportPathProbe(ProbeReport report);

    /// <summary>
    /// The member left the system (its Cluster object was deleted): withdraw the contribution, remove the export's
    /// Ingress and clear the conditions this system wrote on the ServiceExport (SPEC §4: as if it never joined). The
    /// export grain is the one owner of those conditions, so the member's teardown asks it rather than writing them.
    /// </summary>
    [Alias("MemberLeft")]
    Task MemberLeft();

    [Alias("GetStatus")]
    Task<ExportStatus> GetStatus();

    /// <summary>
    /// One-way, from a ServiceImportGrain that read its state back from the store and holds a contribution of this
    /// export: send the current one again, or withdraw it when the member has no such export any more.
    /// </summary>
    [Alias("Reconfirm")]
    [OneWay]
    Task Reconfirm();
}

[GenerateSerializer, Immutable]
public sealed record ExportStatus(bool Exists, bool Valid, string ValidReason, string ValidMessage, ConflictVerdict Conflict);
