using System.Net;
using ErieCanal.Orleans.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The silo's Orleans endpoints in a pod, as the chart configures them: Orleans' Kubernetes hosting would listen on
/// every address, which pods sharing a network namespace cannot do on one port; Orleans:ListenIP (the chart's
/// $(POD_IP)) binds the silo and gateway listeners to the pod's own address and advertises it, on the chart's ports.
/// </summary>
public sealed class InClusterEndpointTests
{
    [Theory]
    [InlineData("127.0.0.7", "127.0.0.7")]
    [InlineData("[::1]", "::1")]
    public void Orleans_listens_on_the_pod_IP_at_the_configured_ports(string listenIp, string expected)
    {
        var endpoints = InClusterEndpoints(new() { ["Orleans:ListenIP"] = listenIp, ["Orleans:SiloPort"] = "21111", ["Orleans:GatewayPort"] = "23000" });
        var address = IPAddress.Parse(expected);
        Assert.Equal(new IPEndPoint(address, 21111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(address, 23000), endpoints.GatewayListeningEndpoint);
        Assert.Equal(address, endpoints.AdvertisedIPAddress);
    }

    [Fact]
    public void A_listen_address_that_is_no_IP_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InClusterEndpoints(new() { ["Orleans:ListenIP"] = "$(POD_IP)" }));
        Assert.Contains("Orleans:ListenIP", error.Message, StringComparison.Ordinal);
    }

    private static EndpointOptions InClusterEndpoints(Dictionary<string, string?> settings)
    {
        settings["Orleans:Redis"] = "127.0.0.1:1";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseErieCanalClustering(builder.Configuration, inCluster: true));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
    }
}
