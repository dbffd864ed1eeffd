using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The claim protocol: a ConfigMap in the member records which control plane manages it, so two control planes never
/// manage one member. A member claimed by another is refused until that ConfigMap is deleted by hand.
/// </summary>
public static class MemberClaim
{
    /// <summary>Where a member records which control plane manages it.</summary>
    public const string Namespace = "kube-system";

    public const string Name = "erie-canal-orleans-membership";

    private const string ControlPlaneKey = "controlPlane";

    private const string ClusterKeyKey = "clusterKey";

    /// <summary>Writes (or confirms) <paramref name="identity"/>'s claim on the member; throws <see cref="ClaimedElsewhereException"/> when another holds it.</summary>
    public static async Task ClaimAsync(IKubernetes client, string identity, string clusterKey, CancellationToken cancellationToken)
    {
        try
        {
            var claim = await client.CoreV1.ReadNamespacedConfigMapAsync(Name, Namespace, cancellationToken: cancellationToken);
            var owner = Value(claim, ControlPlaneKey);
            if (owner != identity)
            {
                throw new ClaimedElsewhereException($"the member is already managed by another control plane ({owner}); delete ConfigMap {Namespace}/{Name} in the member to move it here");
            }

            if (Value(claim, ClusterKeyKey) != clusterKey)
            {
                claim.Data![ClusterKeyKey] = clusterKey;
                await client.CoreV1.ReplaceNamespacedConfigMapAsync(claim, Name, Namespace, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = Name,
                    NamespaceProperty = Namespace,
                    Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
                },
                Data = new Dictionary<string, string> { [ControlPlaneKey] = identity, [ClusterKeyKey] = clusterKey },
            }, Namespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Releases <paramref name="identity"/>'s claim (the member leaves as if it never joined); another's claim is left alone.</summary>
    public static async Task ReleaseAsync(IKubernetes client, string identity, CancellationToken cancellationToken)
    {
        try
        {
            var claim = await client.CoreV1.ReadNamespacedConfigMapAsync(Name, Namespace, cancellationToken: cancellationToken);
            if (Value(claim, ControlPlaneKey) == identity)
            {
                await client.CoreV1.DeleteNamespacedConfigMapAsync(Name, Namespace, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    private static string? Value(V1ConfigMap claim, string key) => claim.Data is { } data && data.TryGetValue(key, out var value) ? value : null;
}

/// <summary>The member is claimed by another control plane.</summary>
public sealed class ClaimedElsewhereException(string message) : Exception(message);
