using ErieCanal.Orleans.Grains.Members;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Members;

public sealed class MemberHealthJudgeTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly ManualClock _clock = new();

    private MemberHealthJudge Judge(int unhealthy = 3, int healthy = 3) => new(_clock, Interval, freshRounds: 3, unhealthy, healthy);

    /// <summary>One probe round: each silo reports, the clock moves one interval, the judge decides.</summary>
    private bool Round(MemberHealthJudge judge, params (string Silo, bool Api, bool Gateway)[] probes)
    {
        foreach (var (silo, api, gateway) in probes)
        {
            judge.Record(silo, api, gateway);
        }

        var flipped = judge.JudgeRound();
        _clock.Advance(Interval);
        return flipped;
    }

    [Fact]
    public void A_majority_of_failing_silos_for_the_threshold_marks_the_member_unhealthy()
    {
        var judge = Judge();
        Assert.False(Round(judge, ("a", false, true), ("b", false, true), ("c", true, true)));
        Assert.False(Round(judge, ("a", false, true), ("b", false, true), ("c", true, true)));
        Assert.True(judge.Healthy);

        Assert.True(Round(judge, ("a", false, true), ("b", false, true), ("c", true, true)));
        Assert.False(judge.Healthy);
        Assert.Equal(ConditionReasons.ApiServerUnreachable, judge.Reason);
        Assert.Contains("2 of 3 silos", judge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tie_is_not_a_majority()
    {
        var judge = Judge(unhealthy: 1);
        for (var i = 0; i < 5; i++)
        {
            Assert.False(Round(judge, ("a", true, false), ("b", true, true)));
        }

        Assert.True(judge.Healthy);
    }

    [Fact]
    public void A_gateway_majority_is_reported_as_the_gateway()
    {
        var judge = Judge(unhealthy: 1);
        Assert.True(Round(judge, ("a", true, false), ("b", true, false), ("c", true, true)));
        Assert.Equal(ConditionReasons.GatewayUnreachable, judge.Reason);
    }

    [Fact]
    public void Recovery_needs_the_healthy_threshold_of_good_rounds_in_a_row()
    {
        var judge = Judge(unhealthy: 1, healthy: 3);
        Assert.True(Round(judge, ("a", false, false)));
        Assert.False(judge.Healthy);

        Assert.False(Round(judge, ("a", true, true)));
        Assert.False(Round(judge, ("a", true, true)));
        Assert.False(Round(judge, ("a", false, true)));
        Assert.False(judge.Healthy);

        Assert.False(Round(judge, ("a", true, true)));
        Assert.False(Round(judge, ("a", true, true)));
        Assert.True(Round(judge, ("a", true, true)));
        Assert.True(judge.Healthy);
        Assert.Equal(ConditionReasons.ProbesSucceeded, judge.Reason);
    }

    [Fact]
    public void A_single_lost_probe_does_not_flap_the_member()
    {
        var judge = Judge();
        for (var i = 0; i < 10; i++)
        {
            var lost = i % 3 == 1;
            Assert.False(Round(judge, ("a", !lost, true)));
        }

        Assert.True(judge.Healthy);
    }

    [Fact]
    public void Stale_probes_are_ignored()
    {
        var judge = Judge(unhealthy: 1);

        // Silo "dead" reported failures long ago and is gone; "live" keeps reporting success.
        judge.Record("dead", false, false);
        judge.Record("dead2", false, false);
        _clock.Advance(Interval * 3);
        Assert.False(Round(judge, ("live", true, true)));
        Assert.True(judge.Healthy);
    }

    [Fact]
    public void Fresh_probes_of_silos_that_did_not_report_this_round_still_count()
    {
        var judge = Judge(unhealthy: 1);
        judge.Record("a", false, false);
        judge.Record("b", false, false);
        _clock.Advance(Interval);
        Assert.True(Round(judge, ("c", true, true)));
        Assert.False(judge.Healthy);
    }

    [Fact]
    public void A_round_without_fresh_probes_changes_nothing()
    {
        var judge = Judge(unhealthy: 2);
        Assert.False(Round(judge, ("a", false, false)));
        _clock.Advance(Interval * 10);

        // No silo reported: neither a good nor a bad round, so the streak of one bad round is kept.
        Assert.False(judge.JudgeRound());
        Assert.True(judge.Healthy);
        Assert.True(Round(judge, ("a", false, false)));
        Assert.False(judge.Healthy);
    }
}
