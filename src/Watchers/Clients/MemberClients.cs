using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Silo-local cache of clients for member clusters, built from the silo's <see cref="MemberCredentials"/>, so any
/// grain on any silo can write to any member without asking another grain; a client is rebuilt when the member's
/// kubeconfig changes. Clients cost no connections of their own: they send through the member's shared pool
/// (<see cref="MemberConnections"/>).
/// </summary>
public sealed class MemberClients(MemberCredentials credentials, IOptions<ErieCanalOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);

    public Task<k8s.IKubernetes> GetAsync(string clusterKey)
    {
        var credential = credentials.Find(clusterKey);
        if (credential is null)
        {
            // A member that left keeps the client it had here until its teardown drops it (Invalidate): its
            // withdrawal (the writer deleting its imports, the exports clearing their conditions) runs after the
            // control-plane watcher forgot the member's credentials, on this silo or on the writer's.
            return _clients.TryGetValue(clusterKey, out var left)
                ? Task.FromResult<k8s.IKubernetes>(left.Client)
                : throw new MemberUnavailableException($"member {clusterKey} is not known to this silo (yet)");
        }

        if (_clients.TryGetValue(clusterKey, out var entry) && entry.Version == credential.Version)
        {
            return Task.FromResult<k8s.IKubernetes>(entry.Client);
        }

        var client = credentials.Connections.Load(credential.Kubeconfig, options.Value.RequestTimeout, options.Value.AllowMemberExecCredentials);
        var fresh = new Entry(credential.Version, client);
        if (entry is null ? _clients.TryAdd(clusterKey, fresh) : _clients.TryUpdate(clusterKey, fresh, entry))
        {
            entry?.Client.Dispose();
            return Task.FromResult<k8s.IKubernetes>(client);
        }

        // Another caller built one at the same moment: use theirs.
        client.Dispose();
        return GetAsync(clusterKey);
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

    private sealed record Entry(long Version, k8s.Kubernetes Client);
}

/// <summary>The member cannot be written to now (not connected, or left); the write will be retried by repair.</summary>
public sealed class MemberUnavailableException(string message) : Exception(message);
