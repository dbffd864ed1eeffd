using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.ControlPlane;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Silo-local cache of every member's kubeconfig, fed by this silo's <see cref="ClusterWatcher"/> (every silo holds
/// every Cluster spec): the inline kubeconfig, or the one in the Secret that spec.kubeconfigSecretRef names. Member
/// clients and sessions read it here, so no grain is asked for credentials, and build their clients on
/// <see cref="Connections"/>, so all of them share one connection pool per member.
/// </summary>
public sealed class MemberCredentials : IDisposable
{
    private readonly Func<SecretRef, CancellationToken, Task<V1Secret?>> _readSecret;
    private readonly ConcurrentDictionary<string, MemberCredential> _byCluster = new(StringComparer.Ordinal);
    private long _versions;

    public MemberCredentials(ControlPlaneConnection controlPlane, IOptions<ErieCanalOptions> options)
        : this(async (secretRef, cancellationToken) =>
        {
            try
            {
                return await controlPlane.Client.CoreV1.ReadNamespacedSecretAsync(secretRef.Name, secretRef.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
                return null;
            }
            catch (HttpOperationException ex) when (ApiErrors.IsForbidden(ex))
            {
                // This silo's own ServiceAccount lacks the right (the chart's ClusterRole grants get on secrets).
                throw new ControlPlaneForbiddenException(
                    $"the control plane refused this silo reading Secret {secretRef.Namespace}/{secretRef.Name} (spec.kubeconfigSecretRef): {ApiErrors.Refusal(ex)}", ex);
            }
        }, options.Value.MemberConnections)
    {
    }

    /// <summary>For tests: reads Secrets through <paramref name="readSecret"/> (null: the Secret does not exist).</summary>
    public MemberCredentials(Func<SecretRef, CancellationToken, Task<V1Secret?>> readSecret, MemberConnectionOptions? connections = null)
    {
        _readSecret = readSecret;
        Connections = new MemberConnections(connections ?? new MemberConnectionOptions());
    }

    /// <summary>The silo's connections to members: every member client is built here.</summary>
    public MemberConnections Connections { get; }

    /// <summary>The member's credential as last resolved, or null when this silo has not seen its Cluster yet.</summary>
    public MemberCredential? Find(string clusterKey) => _byCluster.TryGetValue(clusterKey, out var credential) ? credential : null;

    /// <summary>
    /// The member's kubeconfig for <paramref name="spec"/>: cached when that resourceVersion was resolved before,
    /// otherwise resolved now (reading the Secret) and cached. Throws <see cref="InvalidKubeconfigException"/> with
    /// a message for the Cluster's condition when the spec names no usable kubeconfig; a failed resolution is tried
    /// again on the next call. <paramref name="refresh"/> reads the Secret again even when cached (a session
    /// reconnecting after a failure picks up rotated credentials).
    /// </summary>
    public async Task<string> ResolveAsync(ClusterSpec spec, bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _byCluster.TryGetValue(spec.ClusterKey, out var cached) && cached.ResourceVersion == spec.ResourceVersion)
        {
            return cached.Kubeconfig;
        }

        var kubeconfig = await ReadAsync(spec, cancellationToken);
        _byCluster.AddOrUpdate(
            spec.ClusterKey,
            _ => new MemberCredential(kubeconfig, spec.ResourceVersion, Interlocked.Increment(ref _versions)),
            (_, existing) => existing.Kubeconfig == kubeconfig
                ? existing with { ResourceVersion = spec.ResourceVersion }
                : new MemberCredential(kubeconfig, spec.ResourceVersion, Interlocked.Increment(ref _versions)));
        return kubeconfig;
    }

    /// <summary>The member left: its credentials go (after its grain finished withdrawing it).</summary>
    public void Forget(string clusterKey) => _byCluster.TryRemove(clusterKey, out _);

    public void Dispose() => Connections.Dispose();

    private async Task<string> ReadAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(spec.Kubeconfig) && spec.KubeconfigSecretRef is not null)
        {
            throw new InvalidKubeconfigException("set exactly one of spec.kubeconfig and spec.kubeconfigSecretRef, not both");
        }

        if (spec.KubeconfigSecretRef is not { } secretRef)
        {
            return string.IsNullOrWhiteSpace(spec.Kubeconfig)
                ? throw new InvalidKubeconfigException("set one of spec.kubeconfig or spec.kubeconfigSecretRef")
                : spec.Kubeconfig;
        }

        var secret = await _readSecret(secretRef, cancellationToken)
            ?? throw new InvalidKubeconfigException($"spec.kubeconfigSecretRef: Secret {secretRef.Namespace}/{secretRef.Name} does not exist on the control plane");
        if (secret.Data?.TryGetValue(secretRef.Key, out var bytes) == true)
        {
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        if (secret.StringData?.TryGetValue(secretRef.Key, out var text) == true)
        {
            return text;
        }

        throw new InvalidKubeconfigException($"spec.kubeconfigSecretRef: Secret {secretRef.Namespace}/{secretRef.Name} has no key '{secretRef.Key}'");
    }
}

/// <summary>A member's kubeconfig, the Cluster resourceVersion it was resolved for, and a version that changes with the text.</summary>
public sealed record MemberCredential(string Kubeconfig, string ResourceVersion, long Version);
