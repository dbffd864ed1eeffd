using ErieCanal.Orleans.DataPlane.Hosting;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane.Gateway;

public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (ListenAddress.Describe(options.Listen) is { } listenProblem)
        {
            failures.Add($"Listen: {listenProblem}");
        }

        if (string.IsNullOrWhiteSpace(options.IngressClass))
        {
            failures.Add("IngressClass must not be empty");
        }

        if (options.ActivityTimeout <= TimeSpan.Zero)
        {
            failures.Add("ActivityTimeout must be positive");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("ConnectTimeout must be positive");
        }

        if (options.KubernetesRequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("KubernetesRequestTimeout must be positive");
        }

        if (options.Informer is null)
        {
            failures.Add("Informer must be set");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
