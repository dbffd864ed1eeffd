using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Security;

public sealed class HttpAccessOptionsValidator : IValidateOptions<HttpAccessOptions>
{
    /// <summary>A token anyone could guess protects nothing.</summary>
    public const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, HttpAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.BearerToken) && !string.IsNullOrEmpty(options.BearerTokenFile))
        {
            return ValidateOptionsResult.Fail($"set one of {HttpAccessOptions.Section}:{nameof(HttpAccessOptions.BearerToken)} and {HttpAccessOptions.Section}:{nameof(HttpAccessOptions.BearerTokenFile)}, not both");
        }

        if (!string.IsNullOrEmpty(options.BearerToken) && options.BearerToken.Trim().Length < MinimumTokenLength)
        {
            return ValidateOptionsResult.Fail($"{HttpAccessOptions.Section}:{nameof(HttpAccessOptions.BearerToken)} must be at least {MinimumTokenLength} characters");
        }

        if (!string.IsNullOrEmpty(options.BearerTokenFile) && !File.Exists(options.BearerTokenFile))
        {
            return ValidateOptionsResult.Fail($"{HttpAccessOptions.Section}:{nameof(HttpAccessOptions.BearerTokenFile)}: no file at '{options.BearerTokenFile}'");
        }

        return ValidateOptionsResult.Success;
    }
}
