using ErieCanal.Orleans.Watchers.Queues;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Options;

public sealed class ErieCanalOptionsValidatorTests
{
    private readonly ErieCanalOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new ErieCanalOptions()).Succeeded);
    }

    [Fact]
    public void Each_bad_setting_is_named_in_the_failure()
    {
        var result = _validator.Validate(null, new ErieCanalOptions
        {
            ProbeInterval = TimeSpan.Zero,
            RepairInterval = TimeSpan.FromSeconds(-1),
            UnhealthyThreshold = 0,
            WriterConcurrency = 1000,
            ControlPlaneKubeconfig = "/no/such/kubeconfig",
            IngressClass = "Not A Class",
        });

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("ErieCanal:ProbeInterval", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:RepairInterval", message, StringComparison.Ordinal);
        Assert.Contains("UnhealthyThreshold", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:WriterConcurrency", message, StringComparison.Ordinal);
        Assert.Contains("/no/such/kubeconfig", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:IngressClass", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_session_and_retry_timings_are_checked()
    {
        var result = _validator.Validate(null, new ErieCanalOptions
        {
            ProbeFreshRounds = 1,
            ObservationConcurrency = 0,
            SessionStopTimeout = TimeSpan.Zero,
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(1) },
        });

        var message = result.FailureMessage;
        Assert.Contains("ErieCanal:ProbeFreshRounds", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:ObservationConcurrency", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:SessionStopTimeout", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:Retry:MaxBackoff", message, StringComparison.Ordinal);
    }
}
