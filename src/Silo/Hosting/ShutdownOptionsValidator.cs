using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Hosting;

public sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TimeoutSeconds is >= 1 and <= 3600
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ShutdownOptions.Section}:{nameof(ShutdownOptions.TimeoutSeconds)} must be 1 to 3600 seconds (got {options.TimeoutSeconds})");
    }
}
