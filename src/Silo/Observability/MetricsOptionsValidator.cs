using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Observability;

public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Path is { Length: > 1 } path && path.StartsWith('/')
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MetricsOptions.Section}:{nameof(MetricsOptions.Path)} must be a path below / (got '{options.Path}')");
    }
}
