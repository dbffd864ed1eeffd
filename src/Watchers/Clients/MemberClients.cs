using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ErieCanal.Orleans.Interfaces;
using k8s;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Silo-local cache of clients for member clusters. The kubeconfig comes from the member's ClusterGrain, so any
/// grain on any silo can write to any member; a short TTL picks up rotated credentials.
/// </summary>
public sealed class MemberClients(IGrainFactory grains, IOptions<ErieCanalOptions> options) : IDisposable
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);

    public async Task<IKubernetes> GetAsync(string clusterKey)
    {
        if (_clients.TryGetValue(clusterKey, out var entry) && DateTime.UtcNow - entry.CheckedAt < Freshness)
        {
            return entry.Client;
        }

        var kubeconfig = await grains.GetGrain<IClusterGrain>(clusterKey).GetKubeconfig()
            ?? throw new MemberUnavailableException($"member {clusterKey} is not connected");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kubeconfig)));
        if (entry is not null && entry.Hash == hash)
        {
            _clients[clusterKey] = entry with { CheckedAt = DateTime.UtcNow };
            return entry.Client;
        }

        var client = KubeconfigLoader.Load(kubeconfig, options.Value.RequestTimeout);
        _clients[clusterKey] = new Entry(hash, client, DateTime.UtcNow);
        entry?.Client.Dispose();
        return client;
    }

    /// <summary>Forgets a member's client (after the member left or its credentials failed).</summary>
    public void Invalidate(string clusterKey)
    {
        if (_clients.TryRemove(clusterKey, out var entry))
        {
            entry.Client.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var entry in _clients.Values)
        {
            entry.Client.Dispose();
        }

        _clients.Clear();
    }

    private sealed record Entry(string Hash, Kubernetes Client, DateTime CheckedAt);
}

/// <summary>The member cannot be written to now (not connected, or left); the write will be retried by repair.</summary>
public sealed class MemberUnavailableException(string message) : Exception(message);
