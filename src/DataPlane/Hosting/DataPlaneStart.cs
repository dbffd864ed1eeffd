using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// What starting a gateway and starting a proxy have in common: options checked before anything connects, and a
/// Kubernetes client made from kubeconfig text that the server owns (disposed with it, or at once if the start fails).
/// </summary>
internal static class DataPlaneStart
{
    public delegate Task<DataPlaneServer> Core(IKubernetes client, IDisposable? ownedClient);

    public static void Validate<TOptions>(TOptions options, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), result.Failures);
        }
    }

    public static async Task<DataPlaneServer> FromKubeconfigAsync(string kubeconfig, TimeSpan requestTimeout, Core start)
    {
        var client = KubeconfigLoader.Load(kubeconfig, requestTimeout);
        try
        {
            return await start(client, client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static Task<DataPlaneServer> WithClientAsync(IKubernetes client, Core start)
    {
        ArgumentNullException.ThrowIfNull(client);
        return start(client, null);
    }
}
