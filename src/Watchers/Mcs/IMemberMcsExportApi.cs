using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>The member API calls an MCS export engine makes; every failure is thrown, the engine's queue retries.</summary>
public interface IMemberMcsExportApi
{
    /// <summary>Writes Valid, Ready and Conflict through the export's one <see cref="ConditionWriter"/>; a 404 is thrown.</summary>
    Task<ConditionChange> WriteConditionsAsync(WriteMcsExportConditions work, CancellationToken cancellationToken);

    /// <summary>Removes the conditions this system wrote; an absent export is not an error.</summary>
    Task ClearConditionsAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>A Kubernetes Event (Warning or Normal) on the export.</summary>
    Task RecordEventAsync(string ns, string name, string uid, bool warning, string reason, string message, CancellationToken cancellationToken);
}
