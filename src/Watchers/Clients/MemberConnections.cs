using k8s;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// The silo's connections to members' API servers: one <see cref="MemberConnectionPool"/> per member kubeconfig,
/// shared by every client built here (the member session's, and <see cref="MemberClients"/>' for writers, export
/// grains and health probes), as client-go shares one transport per API server. A client holds no connection of its
/// own: disposing it returns its share, and a pool closes with its last client, so a rotated kubeconfig gets a new
/// pool while the old one lives on only as long as a client still uses it.
/// </summary>
public sealed class MemberConnections(MemberConnectionOptions options) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Shared> _pools = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Pools open now (one per member kubeconfig in use).</summary>
    public int OpenPools
    {
        get
        {
            lock (_gate)
            {
                return _pools.Count;
            }
        }
    }

    /// <summary>A client of the member <paramref name="kubeconfig"/> names, over that member's shared pool; see <see cref="KubeconfigLoader.Load"/>.</summary>
    public Kubernetes Load(string kubeconfig, TimeSpan requestTimeout, bool allowExec)
    {
        var config = KubeconfigLoader.Configure(kubeconfig, requestTimeout, allowExec);
        Shared shared;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pools.TryGetValue(kubeconfig, out var found))
            {
                found = new Shared(new MemberConnectionPool(kubeconfig, requestTimeout, allowExec, options));
                _pools[kubeconfig] = found;
            }

            found.Users++;
            shared = found;
        }

        try
        {
            return KubeconfigLoader.Build(config, kubeconfig, new PooledHandler(shared.Pool, () => Release(kubeconfig, shared)));
        }
        catch
        {
            Release(kubeconfig, shared);
            throw;
        }
    }

    public void Dispose()
    {
        List<Shared> all;
        lock (_gate)
        {
            _disposed = true;
            all = [.. _pools.Values];
            _pools.Clear();
        }

        foreach (var shared in all)
        {
            shared.Pool.Dispose();
        }
    }

    private void Release(string kubeconfig, Shared shared)
    {
        lock (_gate)
        {
            if (--shared.Users > 0 || !_pools.Remove(kubeconfig, out var removed))
            {
                return;
            }

            if (removed != shared)
            {
                _pools[kubeconfig] = removed;
                return;
            }
        }

        shared.Pool.Dispose();
    }

    private sealed class Shared(MemberConnectionPool pool)
    {
        public MemberConnectionPool Pool { get; } = pool;

        public int Users { get; set; }
    }

    /// <summary>The end of a client's handler chain: its requests go out through the member's shared pool.</summary>
    private sealed class PooledHandler(MemberConnectionPool pool, Action release) : DelegatingHandler
    {
        private int _released;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            pool.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }

            base.Dispose(disposing);
        }
    }
}
