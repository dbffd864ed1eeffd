namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The import grain's answer to an export: whether its contribution is part of the import, and the service's one
/// Conflict verdict (KEP-1645: set on every export of a conflicted service, not only the newer ones).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsExportVerdict(bool Included, bool Conflict, string Reason, string Message)
{
    public const string NoConflictsMessage = "ServiceExport has no conflicts";

    public static McsExportVerdict NoConflicts { get; } = new(true, false, McsNames.Reasons.NoConflicts, NoConflictsMessage);
}
