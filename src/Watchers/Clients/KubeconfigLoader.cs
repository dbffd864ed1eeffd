using System.Text;
using k8s;
using k8s.Exceptions;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>Turns kubeconfig text into a client, with errors a user can act on instead of parser stack traces.</summary>
public static class KubeconfigLoader
{
    public static Kubernetes Load(string kubeconfig, TimeSpan requestTimeout)
    {
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            throw new InvalidKubeconfigException("the kubeconfig is empty");
        }

        KubernetesClientConfiguration config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
        }
        catch (Exception ex) when (ex is KubeConfigException or YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidKubeconfigException($"the kubeconfig cannot be used: {ex.Message}");
        }

        if (string.IsNullOrEmpty(config.Host) || !Uri.TryCreate(config.Host, UriKind.Absolute, out _))
        {
            throw new InvalidKubeconfigException("the kubeconfig's current context names no usable server address");
        }

        config.HttpClientTimeout = requestTimeout;
        return new Kubernetes(config);
    }
}

/// <summary>A kubeconfig that cannot be parsed or names no server.</summary>
public sealed class InvalidKubeconfigException(string message) : Exception(message);
