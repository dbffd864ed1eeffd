using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane.Dns;

public sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    /// <summary>Longer TTLs would keep answers cached well after an export or an endpoint went away.</summary>
    public const int MaxTtl = 3600;

    public ValidateOptionsResult Validate(string? name, DnsOptions options)
    {
        var failures = new List<string>();
        if (DnsListenAddress.Describe(options.Listen) is { } listenProblem)
        {
            failures.Add($"Dns:Listen: {listenProblem}");
        }

        if (options.Ttl is < 1 or > MaxTtl)
        {
            failures.Add($"Dns:Ttl must be between 1 and {MaxTtl} seconds");
        }

        if (options.KubernetesRequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Dns:KubernetesRequestTimeout must be positive");
        }

        if (options.Informer is null)
        {
            failures.Add("Dns:Informer must be set");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
