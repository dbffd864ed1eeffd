using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>The silo's client for the control-plane cluster (Cluster objects, their Secrets, status and events).</summary>
public sealed class ControlPlaneConnection : IDisposable
{
    private readonly Lazy<Kubernetes> _client;
    private readonly ErieCanalOptions _options;
    private string? _identity;

    public ControlPlaneConnection(IOptions<ErieCanalOptions> options)
    {
        _options = options.Value;
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
            var ns = await Client.CoreV1.ReadNamespaceAsync("kube-system", cancellationToken: cancellationToken);
            _identity = ns.Metadata.Uid;
        }

        return _identity;
    }

    private Kubernetes Create()
    {
        if (!string.IsNullOrEmpty(_options.ControlPlaneKubeconfig))
        {
            return KubeconfigLoader.Load(File.ReadAllText(_options.ControlPlaneKubeconfig), _options.RequestTimeout);
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
    }
}
