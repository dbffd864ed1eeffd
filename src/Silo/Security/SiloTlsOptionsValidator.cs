using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Security;

public sealed class SiloTlsOptionsValidator : IValidateOptions<SiloTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return string.IsNullOrEmpty(options.KeyPath) && string.IsNullOrEmpty(options.CaCertificatePath)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{SiloTlsOptions.Section}: {nameof(SiloTlsOptions.KeyPath)} or {nameof(SiloTlsOptions.CaCertificatePath)} is set but {nameof(SiloTlsOptions.CertificatePath)} is not");
        }

        var failures = new List<string>();
        foreach (var (setting, path) in new[] { (nameof(SiloTlsOptions.CertificatePath), options.CertificatePath), (nameof(SiloTlsOptions.KeyPath), options.KeyPath), (nameof(SiloTlsOptions.CaCertificatePath), options.CaCertificatePath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                failures.Add($"{SiloTlsOptions.Section}:{setting}: no file at '{path}'");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
