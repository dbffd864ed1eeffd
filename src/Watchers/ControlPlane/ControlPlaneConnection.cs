using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>
/// The silo's client for the control-plane cluster (Cluster objects, their Secrets, status and events). Its requests
/// go through a connection pool as members' do (<see cref="MemberConnections"/>): one HTTP/2 connection where
/// offered, a bounded HTTP/1.1 pool otherwise, however many Cluster grains write status at once.
/// </summary>
public sealed class ControlPlaneConnection : IDisposable
{
    private readonly Lazy<Kubernetes> _client;
    private readonly ErieCanalOptions _options;
    private readonly MemberConnections _connections;
    private string? _identity;

    public ControlPlaneConnection(IOptions<ErieCanalOptions> options)
    {
        _options = options.Value;
        _connections = new MemberConnections(_options.MemberConnections);
        _client = new Lazy<Kubernetes>(Create);
    }

    public IKubernetes Client => _client.Value;

    /// <summary>
    /// This control plane's identity, written into each member it claims: configured, or the uid of the control
    /// plane's kube-system namespace (stable for the life of that cluster).
    /// </summary>
    public async Task<string> GetIdentityAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(_options.ControlPlaneId))
        {
            return _options.ControlPlaneId;
        }

        if (_identity is null)
        {
            try
            {
                var ns = await Client.CoreV1.ReadNamespaceAsync("kube-system", cancellationToken: cancellationToken);
                _identity = ns.Metadata.Uid;
            }
            catch (HttpOperationException ex) when (ApiErrors.IsForbidden(ex))
            {
                // The silo's own ServiceAccount, not the member, lacks the right: say so on the member's Cluster.
                throw new ControlPlaneForbiddenException(
                    $"the control plane refused this silo reading namespace kube-system, whose uid identifies this control plane (or set ErieCanal:ControlPlaneId): {ApiErrors.Refusal(ex)}", ex);
            }
        }

        return _identity;
    }

    private Kubernetes Create()
    {
        if (!string.IsNullOrEmpty(_options.ControlPlaneKubeconfig))
        {
            return _connections.Load(File.ReadAllText(_options.ControlPlaneKubeconfig), _options.RequestTimeout, allowExec: true);
        }

        var config = KubernetesClientConfiguration.InClusterConfig();
        config.HttpClientTimeout = _options.RequestTimeout;
        return new Kubernetes(config);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        _connections.Dispose();
    }
}
