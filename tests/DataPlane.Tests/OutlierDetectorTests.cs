using ErieCanal.Orleans.DataPlane.Proxy;
using Microsoft.Extensions.Time.Testing;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>The outlier detector on a fake clock: ejection, cool-off, probation, doubling, forgiveness, fallback.</summary>
public sealed class OutlierDetectorTests
{
    private const string Service = "web.ns:80";
    private static readonly ProxyAddress A = new("127.0.0.1", 1, "/a", Local: false) { ClusterKey = "c2" };
    private static readonly ProxyAddress B = new("127.0.0.2", 1, "/b", Local: false) { ClusterKey = "c3" };

    private readonly FakeTimeProvider _clock = new();
    private readonly EjectionOptions _options = new() { ConsecutiveFailures = 3, BaseEjectionTime = TimeSpan.FromSeconds(10), MaxEjectionTime = TimeSpan.FromSeconds(30) };

    [Fact]
    public void Ejects_after_consecutive_failures_only_and_a_success_resets_the_count()
    {
        var detector = new OutlierDetector(_options, _clock);
        var ejected = new List<(string Cluster, string Service, TimeSpan CoolOff)>();
        detector.Ejected += (cluster, service, _, coolOff) => ejected.Add((cluster, service, coolOff));

        Assert.False(detector.Failed(Service, A));
        Assert.False(detector.Failed(Service, A));
        detector.Succeeded(Service, A);
        Assert.False(detector.Failed(Service, A));
        Assert.False(detector.Failed(Service, A));
        Assert.False(detector.IsEjected(Service, A));

        Assert.True(detector.Failed(Service, A));
        Assert.True(detector.IsEjected(Service, A));
        Assert.Equal([("c2", Service, TimeSpan.FromSeconds(10))], ejected);

        // Per service and endpoint: the same address under another service, and another address, are untouched.
        Assert.False(detector.IsEjected("other.ns:80", A));
        Assert.False(detector.IsEjected(Service, B));
        Assert.Equal([("c2", Service, 1)], detector.Snapshot());

        // Failures of attempts that were in flight at the ejection count for nothing.
        Assert.False(detector.Failed(Service, A));
        Assert.Single(ejected);
    }

    [Fact]
    public void Returns_after_the_cool_off_on_probation_and_doubles_up_to_the_maximum()
    {
        var detector = new OutlierDetector(_options, _clock);
        var coolOffs = new List<TimeSpan>();
        detector.Ejected += (_, _, _, coolOff) => coolOffs.Add(coolOff);
        FailTimes(detector, A, 3);

        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.True(detector.IsEjected(Service, A));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(detector.IsEjected(Service, A));
        Assert.Equal([("c2", Service, 0)], detector.Snapshot());

        // On probation: one failure ejects it again, for twice as long; then 30 s (the maximum), and 30 s again.
        foreach (var expected in new[] { 20, 30, 30 })
        {
            Assert.True(detector.Failed(Service, A));
            Assert.Equal(TimeSpan.FromSeconds(expected), coolOffs[^1]);
            _clock.Advance(TimeSpan.FromSeconds(expected));
            Assert.False(detector.IsEjected(Service, A));
        }

        Assert.Equal(4, coolOffs.Count);
    }

    [Fact]
    public void A_success_ends_probation_and_a_healthy_spell_as_long_as_the_last_cool_off_forgives()
    {
        var detector = new OutlierDetector(_options, _clock);
        var coolOffs = new List<TimeSpan>();
        detector.Ejected += (_, _, _, coolOff) => coolOffs.Add(coolOff);
        FailTimes(detector, A, 3);
        _clock.Advance(TimeSpan.FromSeconds(10));

        // Back and answering: one failure no longer ejects it.
        detector.Succeeded(Service, A);
        Assert.False(detector.Failed(Service, A));
        Assert.False(detector.IsEjected(Service, A));

        // Soon after, three failures eject it for twice the base time...
        Assert.False(detector.Failed(Service, A));
        Assert.True(detector.Failed(Service, A));
        Assert.Equal(TimeSpan.FromSeconds(20), coolOffs[^1]);

        // ...but after a healthy spell as long as that cool-off, the next ejection starts over at the base time.
        _clock.Advance(TimeSpan.FromSeconds(20));
        detector.Succeeded(Service, A);
        _clock.Advance(TimeSpan.FromSeconds(20));
        FailTimes(detector, A, 3);
        Assert.Equal(TimeSpan.FromSeconds(10), coolOffs[^1]);
    }

    [Fact]
    public void Disabled_never_ejects()
    {
        var detector = new OutlierDetector(new EjectionOptions { Enabled = false, ConsecutiveFailures = 1 }, _clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.False(detector.Failed(Service, A));
        }

        Assert.False(detector.IsEjected(Service, A));
        Assert.Empty(detector.Snapshot());
    }

    [Fact]
    public void Picks_pass_over_ejected_endpoints_fail_over_to_standby_and_never_leave_a_route_empty()
    {
        var detector = new OutlierDetector(_options, _clock);
        var standby = new ProxyAddress("127.0.0.3", 1, "/s", Local: false) { ClusterKey = "c4" };
        var route = new ServiceRoute(Service, [
            new ProxyTarget("c2", ProxyTier.Active, 1, [A]),
            new ProxyTarget("c3", ProxyTier.Active, 1, [B]),
            new ProxyTarget("c4", ProxyTier.Standby, 0, [standby])], new SmoothWeightedBalancer());

        FailTimes(detector, A, 3);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Same(B, route.Pick(null, ProxyTier.Active, ProxyTier.Standby, detector)));

        // Every Active endpoint ejected: the Standby takes the traffic.
        FailTimes(detector, B, 3);
        Assert.Same(standby, route.Pick(null, ProxyTier.Active, ProxyTier.Standby, detector));

        // Everything ejected: traffic goes on as if nothing were (the Active ones) rather than nowhere, as Envoy's
        // panic threshold does; a retry still finds another endpoint.
        FailTimes(detector, standby, 3);
        var picked = Enumerable.Range(0, 12).Select(_ => route.Pick(null, ProxyTier.Active, ProxyTier.Standby, detector)!.Key).ToHashSet();
        Assert.Equal([A.Key, B.Key], picked.Order(StringComparer.Ordinal));
        Assert.Same(B, route.Pick(A, ProxyTier.Active, ProxyTier.Active, detector));

        // Forgotten once no route sends there any more: it comes back with a clean record.
        detector.Retain((_, key) => key != A.Key);
        Assert.False(detector.IsEjected(Service, A));
        Assert.True(detector.IsEjected(Service, B));
    }

    private static void FailTimes(OutlierDetector detector, ProxyAddress address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            detector.Failed(Service, address);
        }

        Assert.True(detector.IsEjected(Service, address));
    }
}
