using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>The member API calls an export engine makes; every failure is thrown, the engine's queue retries.</summary>
public interface IMemberExportApi
{
    /// <summary>Server-side apply of the export's Ingress.</summary>
    Task ApplyIngressAsync(string ns, string name, ExportIngress ingress, CancellationToken cancellationToken);

    /// <summary>Deletes the export's Ingress; an absent one is not an error.</summary>
    Task DeleteIngressAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>Writes the conditions through the export's one <see cref="ConditionWriter"/>; a 404 is thrown.</summary>
    Task<ConditionChange> WriteConditionsAsync(WriteExportConditions work, CancellationToken cancellationToken);

    /// <summary>Removes the conditions and observedGeneration this system wrote; an absent export is not an error.</summary>
    Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>A Kubernetes Event (Warning or Normal) on the export.</summary>
    Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken);
}
