using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane.Proxy;

public sealed class EjectionOptionsValidator : IValidateOptions<EjectionOptions>
{
    public ValidateOptionsResult Validate(string? name, EjectionOptions options)
    {
        var failures = new List<string>();
        if (options.ConsecutiveFailures < 1)
        {
            failures.Add("ConsecutiveFailures must be at least 1");
        }

        if (options.BaseEjectionTime <= TimeSpan.Zero)
        {
            failures.Add("BaseEjectionTime must be positive");
        }

        if (options.MaxEjectionTime < options.BaseEjectionTime)
        {
            failures.Add("MaxEjectionTime must be at least BaseEjectionTime");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
