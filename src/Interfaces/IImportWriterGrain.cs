namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// Writes ServiceImports into one member (key: clusterKey) and evaluates that member's GlobalTrafficPolicies into
/// their status. Fed by its import channel (<see cref="ChannelNames.Imports"/>) and repaired periodically from the
/// ServiceImportGrains, so a lost notification only delays an update.
/// </summary>
[Alias("ErieCanal.IImportWriterGrain")]
public interface IImportWriterGrain : IGrainWithStringKey
{
    [Alias("SetPolicy")]
    Task SetPolicy(string ns, string name, TrafficPolicySpec? policy);

    [Alias("GetRouting")]
    Task<Routing?> GetRouting(string ns, string name);

    /// <summary>Pulls every service's view for this member and makes the member match it.</summary>
    [Alias("Repair")]
    Task Repair();

    /// <summary>The member left: delete every ServiceImport written there and stop.</summary>
    [Alias("Retire")]
    Task Retire();
}
