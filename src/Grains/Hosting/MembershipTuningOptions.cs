namespace ErieCanal.Orleans.Grains.Hosting;

/// <summary>
/// How fast the silos declare a silo that stopped answering dead (section <c>Orleans:Membership</c>), mapped onto
/// Orleans' ClusterMembershipOptions. Orleans' own defaults take about 12.6 s to declare a killed silo dead; these
/// take about 3 s (see docs/storage.md), so a member's grains come back on a survivor and reconciliation resumes
/// within 10 s. Three missed probes (not one) keep a GC pause or a busy host from evicting a healthy silo.
/// </summary>
public sealed class MembershipTuningOptions
{
    public const string Section = "Orleans:Membership";

    /// <summary>Initial probe timeout and period; Orleans adapts it per silo between half and four times this.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row before a silo votes the probed one dead.</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>Votes that declare a silo dead (capped by Orleans at the number of silos left to vote).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How often a silo writes its heartbeat into the membership table (it shows stale entries).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo reads the whole membership table, a backstop for gossip.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a vote counts towards a death declaration.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long dead silos' rows stay in the membership table before they are removed.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(1);
}
