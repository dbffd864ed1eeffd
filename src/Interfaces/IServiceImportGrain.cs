using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One multi-cluster service (key: <c>namespace/name</c>). Merges the contributions of every exporting cluster,
/// applies the conflict rules, and fans the result out to each member's ImportWriterGrain through its stream.
/// </summary>
[Alias("ErieCanal.IServiceImportGrain")]
public interface IServiceImportGrain : IGrainWithStringKey
{
    /// <summary>Sets (or with null withdraws) a cluster's contribution; returns that cluster's conflict verdict.</summary>
    [Alias("Contribute")]
    Task<ConflictVerdict> Contribute(string clusterKey, ExportContribution? contribution);

    /// <summary>The ServiceImport the given member should hold (null: none), for a writer's repair pass.</summary>
    [Alias("GetViewFor")]
    Task<MergedImport?> GetViewFor(string clusterKey);

    [Alias("GetContributors")]
    Task<ImmutableArray<string>> GetContributors();
}
