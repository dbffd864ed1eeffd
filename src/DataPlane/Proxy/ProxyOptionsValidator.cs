using ErieCanal.Orleans.DataPlane.Hosting;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane.Proxy;

public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var failures = new List<string>();
        if (ListenAddress.Describe(options.Listen) is { } listenProblem)
        {
            failures.Add($"Listen: {listenProblem}");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterKey))
        {
            failures.Add("ClusterKey must name this member, e.g. default/default/default/cluster-2");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterDomain) || options.ClusterDomain.StartsWith('.') || options.ClusterDomain.EndsWith('.'))
        {
            failures.Add("ClusterDomain must be a domain such as cluster.local");
        }

        foreach (var (value, label) in new[]
        {
            (options.ConnectTimeout, nameof(options.ConnectTimeout)), (options.ActivityTimeout, nameof(options.ActivityTimeout)),
            (options.KubernetesRequestTimeout, nameof(options.KubernetesRequestTimeout)),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{label} must be positive");
            }
        }

        if (options.TryTimeout <= TimeSpan.Zero && options.TryTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add("TryTimeout must be positive, or infinite (-00:00:00.001) for none");
        }

        if (options.ListenerFirstPort is < 1 or > 65535 || options.ListenerLastPort is < 1 or > 65535 || options.ListenerFirstPort > options.ListenerLastPort)
        {
            failures.Add($"ListenerFirstPort and ListenerLastPort must be ports (1-65535), the first not above the last (are {options.ListenerFirstPort}-{options.ListenerLastPort})");
        }

        if (options.SniffTimeout <= TimeSpan.Zero)
        {
            failures.Add("SniffTimeout must be positive");
        }

        if (!Enum.IsDefined(options.Retry))
        {
            failures.Add($"Retry must be {RetryPolicy.AnyEndpoint} or {RetryPolicy.StandbyOnly}");
        }

        if (options.Ejection is null)
        {
            failures.Add("Ejection must be set");
        }
        else if (new EjectionOptionsValidator().Validate(name, options.Ejection) is { Failed: true } ejection)
        {
            failures.AddRange(ejection.Failures.Select(f => $"Ejection: {f}"));
        }

        if (options.Informer is null)
        {
            failures.Add("Informer must be set");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
