using System.Text;
using k8s;
using k8s.Exceptions;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Turns kubeconfig text into a client, with errors a user can act on instead of parser stack traces. Those errors
/// reach conditions, Events and logs, so the kubeconfig's credentials are masked in them.
/// </summary>
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
            throw new InvalidKubeconfigException($"the kubeconfig cannot be used: {CredentialRedaction.Redact(ex.Message, kubeconfig)}");
        }

        if (string.IsNullOrEmpty(config.Host) || !Uri.TryCreate(config.Host, UriKind.Absolute, out _))
        {
            throw new InvalidKubeconfigException("the kubeconfig's current context names no usable server address");
        }

        config.HttpClientTimeout = requestTimeout;
        try
        {
            return new Kubernetes(config);
        }
        catch (Exception ex) when (ex is KubeConfigException or ArgumentException or InvalidOperationException or NullReferenceException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Client certificate and key are read here: a broken client-key-data fails now, not at parse time.
            throw new InvalidKubeconfigException($"the kubeconfig's credentials cannot be used: {CredentialRedaction.Redact(ex.Message, kubeconfig)}");
        }
    }
}

/// <summary>A kubeconfig that cannot be parsed or names no server.</summary>
public sealed class InvalidKubeconfigException(string message) : Exception(message);
