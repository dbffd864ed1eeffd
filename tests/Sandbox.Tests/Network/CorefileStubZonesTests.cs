using System.Net;
using ErieCanal.Orleans.Sandbox.Network;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>Stub zones read out of Corefiles shaped as the chart documents them (CoreDNS and NodeLocal DNSCache).</summary>
public sealed class CorefileStubZonesTests
{
    [Fact]
    public void Zone_blocks_with_a_forward_become_stub_zones_and_everything_else_is_ignored()
    {
        var zones = CorefileStubZones.Parse("""
            .:53 {
                forward . /etc/resolv.conf
            }
            # NodeLocal DNSCache's shape: options block on the forward, other directives around it.
            clusterset.local:53 {
                errors
                cache {
                    success 9984 5
                    denial 9984 5
                }
                reload
                loop
                bind 169.254.20.10 10.96.0.10
                forward . 127.0.0.53:5353 dns://127.0.0.54 {
                    force_tcp
                }
                prometheus :9253
            }
            far.example:53 { forward . 10.0.0.1 }
            other.port:5353 { forward . 127.0.0.1 }
            """);

        var zone = Assert.Single(zones);
        Assert.Equal("clusterset.local", zone.Zone.ToString().TrimEnd('.'));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 5353), new IPEndPoint(IPAddress.Parse("127.0.0.54"), 53)], zone.Upstreams);
    }
}
