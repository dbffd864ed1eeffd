using ErieCanal.Orleans.Watchers.Health;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Health;

public sealed class ProbeStreakTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly ProbeResult Refused = new(false, "GatewayUnreachable", "connection refused");

    private static DateTimeOffset At(long round) => Start + Interval * round;

    [Fact]
    public void Reports_changes_and_short_streaks_then_only_keep_alives()
    {
        var streak = new ProbeStreak("silo", 2, Interval * 4);
        var reported = Enumerable.Range(1, 12).Select(i => streak.Count(i, At(i), ProbeResult.Success)).ToList();

        // Rounds 1 and 2 (streak at most 2), then every fourth interval.
        Assert.Equal([1, 2, 6, 10], reported.Select((r, i) => (r, i)).Where(x => x.r is not null).Select(x => x.i + 1));
        Assert.Equal(10, reported[9]!.Streak);
        Assert.Equal(At(1), reported[9]!.StreakStarted);

        var failed = streak.Count(13, At(13), Refused);
        Assert.NotNull(failed);
        Assert.Equal((false, 1, At(13), "GatewayUnreachable"), (failed.Ok, failed.Streak, failed.StreakStarted, failed.Failure));
        Assert.Equal(2, streak.Count(14, At(14), Refused)!.Streak);
        Assert.Null(streak.Count(15, At(15), Refused));
    }

    [Fact]
    public void An_overtaken_probe_is_not_counted()
    {
        var streak = new ProbeStreak("silo", 2, Interval * 4);
        Assert.NotNull(streak.Count(2, At(2), ProbeResult.Success));
        Assert.Null(streak.Count(1, At(1), Refused));
        Assert.Equal(2, streak.Count(3, At(3), ProbeResult.Success)!.Streak);
    }

    [Fact]
    public void After_a_failed_report_the_next_probe_reports_again()
    {
        var streak = new ProbeStreak("silo", 1, Interval * 100);
        Assert.NotNull(streak.Count(1, At(1), ProbeResult.Success));
        Assert.Null(streak.Count(2, At(2), ProbeResult.Success));
        streak.ReportFailed();
        Assert.Equal(3, streak.Count(3, At(3), ProbeResult.Success)!.Streak);
        Assert.Null(streak.Count(4, At(4), ProbeResult.Success));
    }
}
