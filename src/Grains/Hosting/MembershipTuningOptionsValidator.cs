using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Hosting;

public sealed class MembershipTuningOptionsValidator : IValidateOptions<MembershipTuningOptions>
{
    public ValidateOptionsResult Validate(string? name, MembershipTuningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(options.ProbeTimeout, nameof(options.ProbeTimeout));
        Positive(options.IAmAliveTablePublishTimeout, nameof(options.IAmAliveTablePublishTimeout));
        Positive(options.TableRefreshTimeout, nameof(options.TableRefreshTimeout));
        Positive(options.DeathVoteExpirationTimeout, nameof(options.DeathVoteExpirationTimeout));
        Positive(options.DefunctSiloExpiration, nameof(options.DefunctSiloExpiration));
        if (options.NumMissedProbesLimit < 1)
        {
            failures.Add($"{MembershipTuningOptions.Section}:{nameof(options.NumMissedProbesLimit)} must be at least 1 (got {options.NumMissedProbesLimit})");
        }

        if (options.NumVotesForDeathDeclaration < 1)
        {
            failures.Add($"{MembershipTuningOptions.Section}:{nameof(options.NumVotesForDeathDeclaration)} must be at least 1 (got {options.NumVotesForDeathDeclaration})");
        }

        // A vote that expires before the next one can be cast never adds up to a declaration.
        if (options.DeathVoteExpirationTimeout <= options.ProbeTimeout * options.NumMissedProbesLimit)
        {
            failures.Add($"{MembershipTuningOptions.Section}:{nameof(options.DeathVoteExpirationTimeout)} must exceed ProbeTimeout × NumMissedProbesLimit");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{MembershipTuningOptions.Section}:{setting} must be positive (got {value})");
            }
        }
    }
}
