using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

public sealed class McsNamesTests
{
    /// <summary>Golden values computed from mcs-api's <c>derivedName</c> definition (sha256 of "ns/name", base32hex, 10 chars).</summary>
    [Theory]
    [InlineData("default", "hello", "derived-k5cuvo1ge4")]
    [InlineData("httpbin", "httpbin", "derived-te38agkk52")]
    [InlineData("demo", "hello", "derived-clkj3a8mu9")]
    public void The_derived_name_is_the_reference_controllers(string ns, string name, string expected)
    {
        Assert.Equal(expected, McsNames.DerivedName(ns, name));
    }

    [Fact]
    public void A_derived_name_is_a_valid_service_name()
    {
        var derived = McsNames.DerivedName("a-very-long-namespace-name", "and-a-long-service-name-too");
        Assert.Matches("^derived-[0-9a-v]{10}$", derived);
    }
}
