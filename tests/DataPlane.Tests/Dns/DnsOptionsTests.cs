using ErieCanal.Orleans.DataPlane.Dns;
using Microsoft.Extensions.Configuration;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>The member DNS settings as a container gets them (DataPlane__Dns__... in the environment), and their checks.</summary>
public sealed class DnsOptionsTests
{
    [Fact]
    public void Defaults_are_off_on_loopback_with_a_5_second_TTL()
    {
        var defaults = new DnsOptions();

        Assert.Equal((false, "127.0.0.1:5353", 5), (defaults.Enabled, defaults.Listen, defaults.Ttl));
        Assert.True(new DnsOptionsValidator().Validate(null, defaults).Succeeded);
    }

    [Fact]
    public void Binds_from_the_DataPlane_section_and_the_dns_component_always_enables_it()
    {
        var section = Section(new Dictionary<string, string?>
        {
            ["DataPlane:ClusterKey"] = "default/default/default/c2",
            ["DataPlane:Dns:Listen"] = "0.0.0.0:5353",
            ["DataPlane:Dns:Ttl"] = "10",
        });

        var beside = Program.DnsSettings(section, dnsComponent: false);
        var component = Program.DnsSettings(section, dnsComponent: true);

        Assert.Equal((false, "0.0.0.0:5353", 10, "default/default/default/c2"), (beside.Enabled, beside.Listen, beside.Ttl, beside.MemberName));
        Assert.True(component.Enabled);
        Assert.True(Program.DnsSettings(Section(new Dictionary<string, string?> { ["DataPlane:Dns:Enabled"] = "true" }), dnsComponent: false).Enabled);
    }

    [Theory]
    [InlineData("127.0.0.1:5353")]
    [InlineData("127.0.0.42:0")]
    [InlineData("[::1]:5353")]
    [InlineData("0.0.0.0:5353")]
    public void Accepts_an_address_with_a_port(string listen) =>
        Assert.True(new DnsOptionsValidator().Validate(null, new DnsOptions { Listen = listen }).Succeeded);

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:5353")]
    [InlineData("udp://127.0.0.1:5353")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1")]
    public void Rejects_anything_else_as_the_listen_address(string listen)
    {
        var result = new DnsOptionsValidator().Validate(null, new DnsOptions { Listen = listen });

        Assert.Contains(result.Failures!, f => f.StartsWith("Dns:Listen", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_bad_value()
    {
        var failures = new DnsOptionsValidator().Validate(null, new DnsOptions { Ttl = 0, KubernetesRequestTimeout = TimeSpan.Zero, Informer = null! }).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Dns:Ttl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dns:KubernetesRequestTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dns:Informer", StringComparison.Ordinal));
        Assert.False(new DnsOptionsValidator().Validate(null, new DnsOptions { Ttl = 3601 }).Succeeded);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("DataPlane");
}
