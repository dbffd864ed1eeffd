using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>
/// One decision of a ServiceExport's grain, for its member's engine to carry out. Work on the same aspect of the same
/// export (its Ingress, its conditions, its Events) is merged: the newest wins.
/// </summary>
public abstract record ExportWork(string Namespace, string Name)
{
    /// <summary>Which part of the export this work writes; work on one aspect replaces older work on it.</summary>
    public abstract ExportAspect Aspect { get; }
}

/// <summary>The parts of an export written independently of each other.</summary>
public enum ExportAspect
{
    Ingress,
    Conditions,
    Event,
}

/// <summary>Server-side apply of the export's Ingress, which the member does not hold as decided.</summary>
public sealed record ApplyExportIngress(string Namespace, string Name, ExportIngress Ingress) : ExportWork(Namespace, Name)
{
    public override ExportAspect Aspect => ExportAspect.Ingress;
}

/// <summary>The export's Ingress must not exist (the export is gone or not valid); an absent one is fine.</summary>
public sealed record DeleteExportIngress(string Namespace, string Name) : ExportWork(Namespace, Name)
{
    public override ExportAspect Aspect => ExportAspect.Ingress;
}

/// <summary>
/// Valid and Conflict (from <paramref name="Status"/>) and observedGeneration on the export with uid
/// <paramref name="Uid"/>. The engine records an Event for each condition whose state changed.
/// <paramref name="SeedResourceVersion"/>: the export was seen with no status at this version, so the first write
/// needs no read (empty: unknown).
/// </summary>
public sealed record WriteExportConditions(string Namespace, string Name, string Uid, long Generation, ExportStatus Status, string SeedResourceVersion = "")
    : ExportWork(Namespace, Name)
{
    public override ExportAspect Aspect => ExportAspect.Conditions;
}

/// <summary>The member left: remove the status this system wrote on the export (SPEC §4).</summary>
public sealed record ClearExportConditions(string Namespace, string Name) : ExportWork(Namespace, Name)
{
    public override ExportAspect Aspect => ExportAspect.Conditions;
}

/// <summary>An Event on the export, such as its path through the gateway failing or recovering; best effort, once.</summary>
public sealed record RecordExportEvent(string Namespace, string Name, string Uid, bool Warning, string Reason, string Message) : ExportWork(Namespace, Name)
{
    public override ExportAspect Aspect => ExportAspect.Event;
}
