using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The multicluster.x-k8s.io CRDs a member needs before its MCS ServiceExports can be watched: installed from the
/// chart's upstream copies when absent and allowed, never replaced (a member's own, maybe newer, CRDs stay).
/// </summary>
public static class McsCrds
{
    public static readonly IReadOnlyList<string> Names = [$"{McsNames.ServiceExports}.{McsNames.Group}", $"{McsNames.ServiceImports}.{McsNames.Group}"];

    /// <summary>
    /// Whether every MCS CRD is installed (installing the missing ones when <paramref name="install"/>); null when
    /// they are, else why not. Never throws for the member's refusals: a member without MCS keeps its flomesh.io path.
    /// </summary>
    public static async Task<string?> EnsureAsync(IKubernetes client, bool install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        foreach (var name in Names)
        {
            try
            {
                await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: cancellationToken);
                continue;
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
                if (!install)
                {
                    return $"{name} is not installed and installing member CRDs is disabled (ErieCanal:UpgradeMemberCrds=false)";
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return $"cannot read {name}: {ApiErrors.Describe(ex).Message}";
            }

            try
            {
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CrdManifests.Get(name), cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex))
            {
                // Installed meanwhile.
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return $"{name} is not installed and could not be: {ApiErrors.Describe(ex).Message}";
            }
        }

        return null;
    }
}
