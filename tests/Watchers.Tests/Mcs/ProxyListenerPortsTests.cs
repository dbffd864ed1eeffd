using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Mcs;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>Listener ports of proxy-fronted Services: stable per Service port, freed with the slice, split by kind.</summary>
public sealed class ProxyListenerPortsTests
{
    [Fact]
    public void Each_kind_allocates_from_its_own_half()
    {
        var mcs = ProxyListenerPorts.For(ProxyListeners.McsKind, 20000, 20009);
        var flomesh = ProxyListenerPorts.For(ProxyListeners.FlomeshKind, 20000, 20009);
        Assert.Equal((20000, 20004), (mcs.First, mcs.Last));
        Assert.Equal((20005, 20009), (flomesh.First, flomesh.Last));
        Assert.Equal([(20000, 42)], mcs.Assign("ns", "a", [42]));
        Assert.Equal([(20005, 42)], flomesh.Assign("ns", "a", [42]));
    }

    [Fact]
    public void A_service_port_keeps_its_listener_and_a_removed_one_is_reused()
    {
        var ports = ProxyListenerPorts.For(ProxyListeners.McsKind, 20000, 20009);
        Assert.Equal([(20000, 80), (20001, 443)], ports.Assign("ns", "web", [80, 443]));
        Assert.Equal([(20002, 42)], ports.Assign("ns", "hello", [42]));

        // The same ports again: the same listeners. A port dropped frees its listener for the next one.
        Assert.Equal([(20000, 80), (20001, 443)], ports.Assign("ns", "web", [80, 443]));
        Assert.Equal([(20000, 80)], ports.Assign("ns", "web", [80]));
        Assert.Equal([(20001, 9090)], ports.Assign("other", "metrics", [9090]));

        ports.Release("ns", "hello");
        Assert.Equal([(20002, 7)], ports.Assign("other", "echo", [7]));
    }

    [Fact]
    public void A_full_range_is_a_clear_error()
    {
        var ports = ProxyListenerPorts.For(ProxyListeners.McsKind, 20000, 20003);
        ports.Assign("ns", "a", [1, 2]);
        var error = Assert.Throws<InvalidOperationException>(() => ports.Assign("ns", "b", [3]));
        Assert.Contains("no proxy listener port left in 20000-20001", error.Message, StringComparison.Ordinal);
    }
}
