using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// One MCS service (key: <c>namespace/name</c>). Merges every exporting cluster's contribution by the KEP-1645 rules,
/// tells every export the service's one verdict, and fans the import out to every member's MCS writer.
/// </summary>
[Alias("ErieCanal.IMcsServiceImportGrain")]
public interface IMcsServiceImportGrain : IGrainWithStringKey
{
    /// <summary>Sets (or with null withdraws) a member's contribution; returns the service's verdict for it.</summary>
    [Alias("Contribute")]
    Task<McsExportVerdict> Contribute(string clusterKey, McsContribution? contribution);

    /// <summary>The import every member should hold (null: none), for a writer's repair pass.</summary>
    [Alias("GetImport")]
    Task<McsMergedImport?> GetImport();

    [Alias("GetContributors")]
    Task<ImmutableArray<string>> GetContributors();
}
