using ErieCanal.Orleans.Grains.Health;
using ErieCanal.Orleans.Grains.Tests.Members;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Health;

/// <summary>
/// The judge as the grains use it: silos report each probe's result with its streak (as <c>ProbeStreak</c> counts
/// it), the judge decides on each report. Driven by a manual clock: a probe round is one interval.
/// </summary>
public sealed class MemberHealthJudgeTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly ManualClock _clock = new();
    private readonly Dictionary<string, (bool Ok, int Streak, DateTimeOffset Started)> _streaks = [];

    private MemberHealthJudge Judge(int unhealthy = 2, int healthy = 2, int freshRounds = 10) => new(_clock, Interval * freshRounds, unhealthy, healthy);

    /// <summary>One silo's probe: counted into its streak and reported; true when the verdict flipped.</summary>
    private bool Probe(MemberHealthJudge judge, string silo, bool ok, string failure = ConditionReasons.GatewayUnreachable)
    {
        var now = _clock.GetUtcNow();
        var streak = _streaks.TryGetValue(silo, out var s) && s.Ok == ok ? (ok, s.Streak + 1, s.Started) : (ok, 1, now);
        _streaks[silo] = streak;
        return judge.Record(new ProbeReport(silo, now, ok, streak.Item2, streak.Item3, ok ? "" : failure, ok ? "" : "connection refused"));
    }

    /// <summary>One probe round: every listed silo probes; the clock moves one interval. True when any report flipped the verdict.</summary>
    private bool Round(MemberHealthJudge judge, params (string Silo, bool Ok)[] probes)
    {
        var flipped = false;
        foreach (var (silo, ok) in probes)
        {
            flipped |= Probe(judge, silo, ok);
        }

        _clock.Advance(Interval);
        return flipped;
    }

    [Fact]
    public void A_majority_of_silos_failing_for_the_threshold_marks_the_target_unhealthy_at_once()
    {
        var judge = Judge();
        Assert.False(Round(judge, ("a", false), ("b", false), ("c", true)));
        Assert.True(judge.Healthy);

        // The second failed probe of the second silo flips it: on that report, not on a later tick.
        Assert.False(Probe(judge, "a", false));
        Assert.True(Probe(judge, "b", false));
        Assert.False(judge.Healthy);
        Assert.Equal(ConditionReasons.GatewayUnreachable, judge.Reason);
        Assert.Contains("2 of 3 silos", judge.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", judge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Since_is_the_first_failed_probe_of_the_streak()
    {
        var judge = Judge();
        Round(judge, ("a", true), ("b", true));
        var firstBad = _clock.GetUtcNow();
        Round(judge, ("a", false), ("b", false));
        Assert.True(Round(judge, ("a", false), ("b", false)));
        Assert.Equal(firstBad, judge.Since);

        var firstGood = _clock.GetUtcNow();
        Round(judge, ("a", true), ("b", true));
        Assert.True(Round(judge, ("a", true), ("b", true)));
        Assert.True(judge.Healthy);
        Assert.Equal(firstGood, judge.Since);
    }

    [Fact]
    public void A_resumed_unhealthy_verdict_stands_until_the_probes_recover()
    {
        // A new activation of the member grain resumes from the verdict it persisted: no probe heard yet is no recovery.
        var judge = Judge();
        judge.Resume(ConditionReasons.GatewayUnreachable);
        Assert.False(judge.Healthy);
        Assert.Equal(ConditionReasons.GatewayUnreachable, judge.Reason);
        Assert.False(judge.Judge());

        // Silos new to this judge vote the resumed verdict until their good streaks cross the threshold.
        Assert.False(Round(judge, ("a", true), ("b", true)));
        Assert.False(judge.Healthy);
        Assert.True(Round(judge, ("a", true), ("b", true)));
        Assert.True(judge.Healthy);

        // A healthy resume changes nothing.
        var fresh = Judge();
        fresh.Resume(null);
        Assert.True(fresh.Healthy);
    }

    [Fact]
    public void A_tie_is_not_a_majority()
    {
        var judge = Judge(unhealthy: 1);
        for (var i = 0; i < 5; i++)
        {
            Assert.False(Round(judge, ("b", true), ("a", false)));
        }

        Assert.True(judge.Healthy);
    }

    [Fact]
    public void The_most_common_failure_names_the_verdict()
    {
        var judge = Judge(unhealthy: 1);
        Probe(judge, "d", true);
        Probe(judge, "e", true);
        Probe(judge, "c", false, ConditionReasons.GatewayUnreachable);
        Probe(judge, "a", false, ConditionReasons.ApiServerUnreachable);
        Assert.True(Probe(judge, "b", false, ConditionReasons.ApiServerUnreachable));
        Assert.Equal(ConditionReasons.ApiServerUnreachable, judge.Reason);
    }

    [Fact]
    public void Recovery_needs_the_healthy_threshold_of_good_probes_in_a_row()
    {
        var judge = Judge(unhealthy: 1, healthy: 3);
        Assert.True(Round(judge, ("a", false)));
        Assert.False(judge.Healthy);

        Assert.False(Round(judge, ("a", true)));
        Assert.False(Round(judge, ("a", true)));
        Assert.False(Round(judge, ("a", false)));
        Assert.False(judge.Healthy);

        Assert.False(Round(judge, ("a", true)));
        Assert.False(Round(judge, ("a", true)));
        Assert.True(Round(judge, ("a", true)));
        Assert.True(judge.Healthy);
        Assert.Equal(ConditionReasons.ProbesSucceeded, judge.Reason);
    }

    [Fact]
    public void A_single_lost_probe_does_not_flip_the_target_either_way()
    {
        var judge = Judge();
        for (var i = 0; i < 12; i++)
        {
            // Every third probe of one silo is lost (a timeout), on every silo at once in the worst case.
            var lost = i % 3 == 1;
            Assert.False(Round(judge, ("a", !lost), ("b", !lost)));
        }

        Assert.True(judge.Healthy);

        Round(judge, ("a", false), ("b", false));
        Assert.True(Round(judge, ("a", false), ("b", false)));
        for (var i = 0; i < 12; i++)
        {
            // Down, with one probe slipping through now and then: still down.
            var through = i % 3 == 1;
            Assert.False(Round(judge, ("a", through), ("b", through)));
        }

        Assert.False(judge.Healthy);
    }

    [Fact]
    public void Latency_below_the_timeout_is_no_failure()
    {
        // Jitter below the probe timeout still answers: the silo's probe is a success, whatever its latency, and the
        // judge sees only successes. (The timeout is the prober's; this pins that the judge flips on nothing else.)
        var judge = Judge();
        var jitter = new Random(8);
        for (var i = 0; i < 50; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(jitter.Next(0, 300)));
            Assert.False(Round(judge, ("a", true), ("b", true), ("c", true)));
        }

        Assert.True(judge.Healthy);
    }

    [Fact]
    public void Stale_reports_expire_so_a_dead_silos_vote_cannot_hold_the_verdict()
    {
        var judge = Judge(unhealthy: 1, freshRounds: 4);

        // Two silos saw the member fail, then died; only "live" keeps reporting success (as keep-alives).
        Probe(judge, "live", true);
        Probe(judge, "dead", false);
        Assert.True(Probe(judge, "dead2", false));
        Assert.False(judge.Healthy);

        _clock.Advance(Interval * 4);
        Assert.True(Round(judge, ("live", true)));
        Assert.True(judge.Healthy);
        Assert.Equal(1, judge.FreshSilos);
    }

    [Fact]
    public void A_report_that_names_its_freshness_counts_that_long()
    {
        // A silo probing less often (many members) says how long its report counts; the judge's own window is shorter.
        var judge = Judge(unhealthy: 1, freshRounds: 4);
        var now = _clock.GetUtcNow();
        Assert.True(judge.Record(new ProbeReport("slow", now, false, 1, now, ConditionReasons.GatewayUnreachable, "refused", FreshFor: Interval * 16)));
        Assert.False(judge.Healthy);

        _clock.Advance(Interval * 8);
        Assert.False(judge.Judge());
        Assert.Equal(1, judge.FreshSilos);

        _clock.Advance(Interval * 8);
        Assert.False(judge.Judge());
        Assert.Equal(0, judge.FreshSilos);
    }

    [Fact]
    public void The_timer_expires_stale_reports_too()
    {
        var judge = Judge(unhealthy: 1, freshRounds: 4);
        Probe(judge, "live", true);
        Probe(judge, "dead", false);
        Probe(judge, "dead2", false);
        Assert.False(judge.Healthy);
        _clock.Advance(Interval * 3);
        Assert.False(Probe(judge, "live", true));
        Assert.False(judge.Healthy);

        // No report arrives: the owner's timer expires the dead silos' votes.
        _clock.Advance(Interval);
        Assert.True(judge.Judge());
        Assert.True(judge.Healthy);
    }

    [Fact]
    public void Without_fresh_reports_the_verdict_stands()
    {
        var judge = Judge(unhealthy: 1);
        Assert.True(Round(judge, ("a", false)));
        _clock.Advance(Interval * 100);
        Assert.False(judge.Judge());
        Assert.False(judge.Healthy);
    }

    [Fact]
    public void A_late_report_overtaken_by_a_newer_one_is_dropped()
    {
        var judge = Judge(unhealthy: 1);
        var early = _clock.GetUtcNow();
        _clock.Advance(Interval);
        Assert.False(judge.Record(new ProbeReport("a", _clock.GetUtcNow(), true, 5, early)));
        Assert.False(judge.Record(new ProbeReport("a", early, false, 3, early, ConditionReasons.GatewayUnreachable)));
        Assert.True(judge.Healthy);
    }

    [Fact]
    public void A_silo_new_to_the_judge_starts_from_the_current_verdict()
    {
        var judge = Judge();
        Round(judge, ("a", false), ("b", false));
        Assert.True(Round(judge, ("a", false), ("b", false)));

        // A third silo joins with one good probe: not enough to vote healthy, so it keeps the member unhealthy.
        Assert.False(Probe(judge, "c", true));
        Assert.False(judge.Healthy);
    }
}
