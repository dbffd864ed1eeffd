using System.Text.Json;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// A member's cluster id (KEP-2149): the value of its cluster-scoped ClusterProperty <c>cluster.clusterset.k8s.io</c>
/// (about.k8s.io/v1beta1), read when present and created with the member's registered cluster name when absent. An
/// existing value is never overwritten (the KEP forbids changing it during membership): one the system cannot use is
/// reported, and the member has no id. The id is the <c>multicluster.kubernetes.io/source-cluster</c> label value and
/// a DNS label of <c>&lt;hostname&gt;.&lt;clusterid&gt;.&lt;svc&gt;.&lt;ns&gt;.svc.clusterset.local</c>, so besides the KEP's
/// "RFC-1123 DNS subdomain" it must be at most 63 characters. Every API failure is thrown (the caller retries).
/// </summary>
public static partial class ClusterIdentity
{
    public const string CrdName = $"{McsNames.ClusterProperties}.{McsNames.AboutGroup}";

    private const int MaxIdLength = 63;

    /// <summary>Whether <paramref name="name"/> may be created as a cluster id: an RFC-1123 DNS label.</summary>
    public static bool IsDnsLabel(string? name) => name is { Length: > 0 and <= MaxIdLength } && DnsLabel().IsMatch(name);

    /// <summary>Whether an existing value is a usable id: an RFC-1123 DNS subdomain that is also a label value (≤ 63).</summary>
    public static bool IsUsableId(string? value) => value is { Length: > 0 and <= MaxIdLength } && DnsSubdomain().IsMatch(value);

    /// <summary>
    /// Reads the member's cluster id, creating the property (and, when <paramref name="installCrd"/> allows, the
    /// ClusterProperty CRD) when absent.
    /// </summary>
    public static async Task<ClusterIdentityResult> EnsureAsync(IKubernetes client, string clusterName, bool installCrd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await EnsureCrdAsync(client, installCrd, cancellationToken) is { } missing)
        {
            return new ClusterIdentityResult(null, false, ClusterIdentityResult.MissingCrd, $"the member has no {CrdName} CRD ({missing}): install it to give the member a cluster id");
        }

        var existing = await ReadAsync(client, cancellationToken);
        if (existing is null)
        {
            if (!IsDnsLabel(clusterName))
            {
                return new ClusterIdentityResult(null, false, ClusterIdentityResult.InvalidClusterName,
                    $"the cluster name \"{clusterName}\" is not an RFC-1123 DNS label (at most 63 lower-case letters, digits and '-', starting and ending alphanumeric), so it cannot be the member's cluster id; create ClusterProperty {McsNames.ClusterIdProperty} in the member with a valid value");
            }

            try
            {
                await client.CustomObjects.CreateClusterCustomObjectAsync(new ClusterPropertyResource
                {
                    Metadata = new V1ObjectMeta { Name = McsNames.ClusterIdProperty },
                    Spec = new ClusterPropertySpec { Value = clusterName },
                }, McsNames.AboutGroup, McsNames.AboutVersion, McsNames.ClusterProperties, cancellationToken: cancellationToken);
                return new ClusterIdentityResult(clusterName, true, ClusterIdentityResult.Identified,
                    $"created ClusterProperty {McsNames.ClusterIdProperty} with the cluster name \"{clusterName}\" as the member's cluster id");
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex))
            {
                // Someone created it meanwhile: theirs stands, read it.
                existing = await ReadAsync(client, cancellationToken) ?? throw new InvalidOperationException($"ClusterProperty {McsNames.ClusterIdProperty} was created and deleted again");
            }
        }

        var value = existing.Spec.Value;
        if (!IsUsableId(value))
        {
            return new ClusterIdentityResult(null, false, ClusterIdentityResult.InvalidClusterId,
                $"ClusterProperty {McsNames.ClusterIdProperty} has the value \"{value}\", which is not usable as a cluster id (an RFC-1123 DNS subdomain of at most 63 characters, as it is a label value and a DNS label); it is not overwritten: fix it in the member");
        }

        return new ClusterIdentityResult(value, false, ClusterIdentityResult.Identified,
            value == clusterName
                ? $"the member's cluster id is \"{value}\" (ClusterProperty {McsNames.ClusterIdProperty})"
                : $"the member's cluster id is \"{value}\" (ClusterProperty {McsNames.ClusterIdProperty}, kept; the cluster is registered as \"{clusterName}\")");
    }

    /// <summary>Null when the CRD is there (or was just installed); else why it is not.</summary>
    private static async Task<string?> EnsureCrdAsync(IKubernetes client, bool install, CancellationToken cancellationToken)
    {
        try
        {
            await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(CrdName, cancellationToken: cancellationToken);
            return null;
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            if (!install)
            {
                return "installing member CRDs is disabled: ErieCanal:UpgradeMemberCrds=false";
            }
        }

        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CrdManifests.Get(CrdName), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsConflict(ex))
        {
            // Installed meanwhile.
        }
        catch (Exception ex) when (ApiErrors.IsForbidden(ex))
        {
            // Asking again changes nothing until someone installs it or grants the right; a reconnect asks again.
            return $"installing it was refused: {ApiErrors.Brief(ex)}";
        }

        return null;
    }

    private static async Task<ClusterPropertyResource?> ReadAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        try
        {
            var raw = await client.CustomObjects.GetClusterCustomObjectAsync(McsNames.AboutGroup, McsNames.AboutVersion, McsNames.ClusterProperties, McsNames.ClusterIdProperty, cancellationToken);
            return raw is JsonElement element
                ? element.Deserialize<ClusterPropertyResource>(KubernetesJsonOptions)
                : JsonSerializer.Deserialize<ClusterPropertyResource>(JsonSerializer.Serialize(raw), KubernetesJsonOptions);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    private static readonly JsonSerializerOptions KubernetesJsonOptions = new(JsonSerializerDefaults.Web);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();
}
