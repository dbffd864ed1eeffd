using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Observability;

public sealed class SiloDashboardOptionsValidator : IValidateOptions<SiloDashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloDashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Url))
        {
            return ValidateOptionsResult.Success;
        }

        return Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.AbsolutePath == "/"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{SiloDashboardOptions.Section}:{nameof(SiloDashboardOptions.Url)} must be http://host:port (got '{options.Url}')");
    }
}
