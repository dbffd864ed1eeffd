namespace ErieCanal.Orleans.Watchers.Health;

/// <summary>
/// Health checking of members and exported services (section <c>ErieCanal:Health</c>). Every silo probes every
/// member's API server and gateway, and each exported service's path through that gateway; the member's (or the
/// export's) grain decides from the silos' majority, with hysteresis.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Off: nothing is probed and every member and service counts healthy, endpoints Active regardless of readiness
    /// (ErieCanal's behaviour, for side-by-side comparisons).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every silo probes each member's API server and gateway (each member on its own loop).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A probe waits this long for an answer; well above normal latency jitter, so jitter is not a failure.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive failed probes a silo must see before it votes a member (or service) unhealthy.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Consecutive good probes a silo must see before it votes an unhealthy member (or service) healthy again.</summary>
    public int HealthyThreshold { get; set; } = 2;

    /// <summary>
    /// A silo's report counts for this many probe intervals, then expires, so a dead silo's last report cannot hold a
    /// verdict. A silo re-sends an unchanged result every third of that window as a keep-alive (it otherwise reports
    /// only changes).
    /// </summary>
    public int FreshRounds { get; set; } = 10;

    /// <summary>How often every silo probes each exported service's path through its member's gateway (5xx = unhealthy).</summary>
    public TimeSpan ServiceProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most member probes (an API server request and a gateway request each) one silo starts per second. Up to
    /// <c>MaxMemberProbesPerSecond × ProbeInterval</c> members (100 by default) every member is probed every
    /// <see cref="ProbeInterval"/>; beyond that a silo probes each member less often (the interval doubles until the
    /// members fit the budget), so probing costs a bounded share of the silo and of each member's API server rather
    /// than growing with the members. Detection slows by the same factor: at 500 members each is probed every 4 s.
    /// </summary>
    public int MaxMemberProbesPerSecond { get; set; } = 200;

    /// <summary>How long a silo's member-probe report stays fresh at the configured interval.</summary>
    public TimeSpan MemberFreshness => ProbeInterval * FreshRounds;

    /// <summary>
    /// The interval a silo probes each of <paramref name="members"/> members at: <see cref="ProbeInterval"/>, doubled
    /// until the members fit <see cref="MaxMemberProbesPerSecond"/> (doubling, so a member count that moves a little
    /// does not restart every probe loop).
    /// </summary>
    public TimeSpan MemberProbeInterval(int members)
    {
        var interval = ProbeInterval;
        while (members / interval.TotalSeconds > MaxMemberProbesPerSecond && interval < TimeSpan.FromMinutes(1))
        {
            interval *= 2;
        }

        return interval;
    }

    /// <summary>How long a silo's service-path report stays fresh.</summary>
    public TimeSpan ServiceFreshness => ServiceProbeInterval * FreshRounds;
}
