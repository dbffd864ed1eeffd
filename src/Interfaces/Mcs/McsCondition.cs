namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>One decided metav1.Condition: <see cref="Status"/> is "True", "False" or "Unknown".</summary>
[GenerateSerializer, Immutable]
public sealed record McsCondition(string Status, string Reason, string Message)
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

/// <summary>
/// The conditions an MCS ServiceExport must carry. <see cref="Conflict"/> null: the export has no Conflict
/// condition (removed while it is not valid, or before the import grain's verdict is known).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsExportConditions(McsCondition Valid, McsCondition Ready, McsCondition? Conflict);
