using ErieCanal.Orleans.DataPlane.Proxy;
using Microsoft.Extensions.Configuration;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>The proxy's failover settings as a container gets them (DataPlane__... in the environment), and their checks.</summary>
public sealed class ProxyOptionsTests
{
    [Fact]
    public void Binds_the_ErieCanal_equivalent_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataPlane:ClusterKey"] = "default/default/default/c2",
            ["DataPlane:TryTimeout"] = "-00:00:00.001",
            ["DataPlane:Retry"] = "StandbyOnly",
            ["DataPlane:Ejection:Enabled"] = "false",
            ["DataPlane:Ejection:ConsecutiveFailures"] = "3",
            ["DataPlane:Ejection:BaseEjectionTime"] = "00:00:05",
        }).Build();
        var options = new ProxyOptions();
        configuration.GetSection("DataPlane").Bind(options);

        Assert.Equal((Timeout.InfiniteTimeSpan, RetryPolicy.StandbyOnly, false, 3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)),
            (options.TryTimeout, options.Retry, options.Ejection.Enabled, options.Ejection.ConsecutiveFailures, options.Ejection.BaseEjectionTime, options.Ejection.MaxEjectionTime));
        Assert.True(new ProxyOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Defaults_are_ours_and_bad_values_are_reported()
    {
        var defaults = new ProxyOptions { ClusterKey = "default/default/default/c2" };
        Assert.Equal((TimeSpan.FromMilliseconds(500), RetryPolicy.AnyEndpoint, true, 5, TimeSpan.FromSeconds(10)),
            (defaults.TryTimeout, defaults.Retry, defaults.Ejection.Enabled, defaults.Ejection.ConsecutiveFailures, defaults.Ejection.BaseEjectionTime));

        var bad = new ProxyOptions
        {
            ClusterKey = "default/default/default/c2",
            TryTimeout = TimeSpan.Zero,
            Retry = (RetryPolicy)7,
            Ejection = new EjectionOptions { ConsecutiveFailures = 0, BaseEjectionTime = TimeSpan.FromSeconds(10), MaxEjectionTime = TimeSpan.FromSeconds(1) },
        };
        var failures = new ProxyOptionsValidator().Validate(null, bad).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("TryTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Retry", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Ejection: ConsecutiveFailures", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Ejection: MaxEjectionTime", StringComparison.Ordinal));
    }

    [Fact]
    public void Binds_the_listener_settings_and_reports_a_bad_range()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataPlane:ClusterKey"] = "default/default/default/c2",
            ["DataPlane:ListenerFirstPort"] = "30000",
            ["DataPlane:ListenerLastPort"] = "30099",
            ["DataPlane:SniffTimeout"] = "00:00:00.300",
        }).Build();
        var options = new ProxyOptions();
        configuration.GetSection("DataPlane").Bind(options);
        Assert.Equal((30000, 30099, TimeSpan.FromMilliseconds(300)), (options.ListenerFirstPort, options.ListenerLastPort, options.SniffTimeout));
        Assert.True(new ProxyOptionsValidator().Validate(null, options).Succeeded);

        var defaults = new ProxyOptions();
        Assert.Equal((Interfaces.ProxyListeners.DefaultFirstPort, Interfaces.ProxyListeners.DefaultLastPort, TimeSpan.FromMilliseconds(150)), (defaults.ListenerFirstPort, defaults.ListenerLastPort, defaults.SniffTimeout));

        var bad = new ProxyOptions { ClusterKey = "default/default/default/c2", ListenerFirstPort = 30000, ListenerLastPort = 20000, SniffTimeout = TimeSpan.Zero };
        var failures = new ProxyOptionsValidator().Validate(null, bad).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("ListenerFirstPort and ListenerLastPort", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SniffTimeout", StringComparison.Ordinal));
        Assert.Contains(new ProxyOptionsValidator().Validate(null, new ProxyOptions { ClusterKey = "k", ListenerLastPort = 70000 }).Failures!, f => f.StartsWith("ListenerFirstPort", StringComparison.Ordinal));
    }
}
