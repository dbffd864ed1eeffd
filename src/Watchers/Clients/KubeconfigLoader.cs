using System.Text;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Turns kubeconfig text into a client, with errors a user can act on instead of parser stack traces. Those errors
/// reach conditions, Events and logs, so the kubeconfig's credentials are masked in them.
/// </summary>
public static class KubeconfigLoader
{
    /// <param name="kubeconfig">The kubeconfig's text.</param>
    /// <param name="requestTimeout">The bound on one request of the client.</param>
    /// <param name="allowExec">
    /// False for kubeconfigs that come from Cluster objects: KubernetesClient runs a user's exec credential plugin (or
    /// an auth provider's <c>cmd-path</c>) to get credentials, so whoever may write a Cluster could run a command on
    /// every silo. Such a kubeconfig is refused before the client is built.
    /// </param>
    public static Kubernetes Load(string kubeconfig, TimeSpan requestTimeout, bool allowExec = true) =>
        Build(Configure(kubeconfig, requestTimeout, allowExec), kubeconfig);

    /// <summary>The client configuration the kubeconfig describes, checked as <see cref="Load"/> describes.</summary>
    public static KubernetesClientConfiguration Configure(string kubeconfig, TimeSpan requestTimeout, bool allowExec = true)
    {
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            throw new InvalidKubeconfigException("the kubeconfig is empty");
        }

        KubernetesClientConfiguration config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            var model = KubernetesClientConfiguration.LoadKubeConfig(stream);
            if (!allowExec)
            {
                RefuseCommands(model);
            }

            config = KubernetesClientConfiguration.BuildConfigFromConfigObject(model);
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
        return config;
    }

    /// <summary>A client of <paramref name="config"/> (from <paramref name="kubeconfig"/>, which errors are masked of).</summary>
    public static Kubernetes Build(KubernetesClientConfiguration config, string kubeconfig, params DelegatingHandler[] handlers)
    {
        try
        {
            return new Kubernetes(config, handlers);
        }
        catch (Exception ex) when (ex is KubeConfigException or ArgumentException or InvalidOperationException or NullReferenceException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Client certificate and key are read here: a broken client-key-data fails now, not at parse time.
            throw new InvalidKubeconfigException($"the kubeconfig's credentials cannot be used: {CredentialRedaction.Redact(ex.Message, kubeconfig)}");
        }
    }

    /// <summary>The current context's user must not make the client run a command.</summary>
    private static void RefuseCommands(K8SConfiguration model)
    {
        var userName = model.Contexts?.FirstOrDefault(c => c.Name == model.CurrentContext)?.ContextDetails?.User;
        var credentials = model.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (credentials?.ExternalExecution is { } exec)
        {
            throw new InvalidKubeconfigException(
                $"the kubeconfig's user '{userName}' gets its credentials from an exec plugin ('{Path.GetFileName(exec.Command)}'), which a member's kubeconfig may not use: " +
                $"every silo would run that command. Use a token or a client certificate, or set {ErieCanalOptions.Section}:{nameof(ErieCanalOptions.AllowMemberExecCredentials)}=true to allow it");
        }

        if (credentials?.AuthProvider?.Config is { } provider && provider.ContainsKey("cmd-path"))
        {
            throw new InvalidKubeconfigException(
                $"the kubeconfig's user '{userName}' names an auth provider command (cmd-path), which a member's kubeconfig may not use: every silo would run it. " +
                $"Use a token or a client certificate, or set {ErieCanalOptions.Section}:{nameof(ErieCanalOptions.AllowMemberExecCredentials)}=true to allow it");
        }
    }
}

/// <summary>A kubeconfig that cannot be parsed or names no server.</summary>
public sealed class InvalidKubeconfigException(string message) : Exception(message);
