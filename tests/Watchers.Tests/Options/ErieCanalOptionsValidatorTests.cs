using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Health;
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
            Health = new HealthOptions { ProbeInterval = TimeSpan.Zero, UnhealthyThreshold = 0, ServiceProbeInterval = TimeSpan.Zero },
            RepairInterval = TimeSpan.FromSeconds(-1),
            WriterConcurrency = 1000,
            ControlPlaneKubeconfig = "/no/such/kubeconfig",
            IngressClass = "Not A Class",
        });

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("ErieCanal:Health:ProbeInterval", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:Health:ServiceProbeInterval", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:RepairInterval", message, StringComparison.Ordinal);
        Assert.Contains("Health:UnhealthyThreshold", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:WriterConcurrency", message, StringComparison.Ordinal);
        Assert.Contains("/no/such/kubeconfig", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:IngressClass", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_session_and_retry_timings_are_checked()
    {
        var result = _validator.Validate(null, new ErieCanalOptions
        {
            Health = new HealthOptions { FreshRounds = 2 },
            ObservationConcurrency = 0,
            SessionStopTimeout = TimeSpan.Zero,
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(1) },
        });

        var message = result.FailureMessage;
        Assert.Contains("ErieCanal:Health:FreshRounds", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:ObservationConcurrency", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:SessionStopTimeout", message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:Retry:MaxBackoff", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_proxy_discovery_settings_are_checked()
    {
        var result = _validator.Validate(null, new ErieCanalOptions { Mcs = new ErieCanal.Orleans.Watchers.Mcs.McsOptions { ProxyRefreshInterval = TimeSpan.Zero, ProxyServiceSelector = " " } });

        Assert.Contains("ErieCanal:Mcs:ProxyRefreshInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:Mcs:ProxyServiceSelector", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http1_connection_bound_is_checked()
    {
        var result = _validator.Validate(null, new ErieCanalOptions { MemberConnections = new MemberConnectionOptions { Http1RequestConnections = 0 } });

        Assert.Contains("ErieCanal:MemberConnections:Http1RequestConnections", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_defaults_are_fast_and_on()
    {
        var health = new ErieCanalOptions().Health;
        Assert.True(health.Enabled);
        Assert.True(health.ProbeTimeout >= TimeSpan.FromMilliseconds(900), "the timeout must stay well above 300 ms of latency jitter");
        Assert.True(health.ProbeInterval * health.UnhealthyThreshold <= TimeSpan.FromSeconds(1.5), "refusal must be seen within the 2 s target");
    }

    [Fact]
    public void Members_beyond_the_probe_budget_are_probed_less_often_by_doubling()
    {
        var health = new HealthOptions { ProbeInterval = TimeSpan.FromMilliseconds(500), MaxMemberProbesPerSecond = 200 };

        Assert.Equal(TimeSpan.FromMilliseconds(500), health.MemberProbeInterval(3));
        Assert.Equal(TimeSpan.FromMilliseconds(500), health.MemberProbeInterval(100));
        Assert.Equal(TimeSpan.FromSeconds(1), health.MemberProbeInterval(101));
        Assert.Equal(TimeSpan.FromSeconds(4), health.MemberProbeInterval(500));
        Assert.Equal(TimeSpan.FromSeconds(8), health.MemberProbeInterval(1_500));
        Assert.True(health.MemberProbeInterval(10_000_000) <= TimeSpan.FromMinutes(2), "the interval is capped");
    }

    [Fact]
    public void The_probe_budget_is_checked()
    {
        var result = _validator.Validate(null, new ErieCanalOptions { Health = new HealthOptions { MaxMemberProbesPerSecond = 0 } });

        Assert.Contains("ErieCanal:Health:MaxMemberProbesPerSecond", result.FailureMessage, StringComparison.Ordinal);
    }
}
