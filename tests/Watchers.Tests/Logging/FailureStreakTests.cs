using ErieCanal.Orleans.Watchers.Logging;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Logging;

public sealed class FailureStreakTests
{
    [Fact]
    public void Only_the_first_failure_and_the_recovery_are_worth_a_line()
    {
        var streak = new FailureStreak();
        Assert.False(streak.Succeed());
        Assert.True(streak.Fail("Unreachable"));
        Assert.False(streak.Fail("Unreachable"));
        Assert.False(streak.Fail("Unreachable"));
        Assert.Equal(3, streak.Failures);
        Assert.True(streak.Succeed());
        Assert.False(streak.Succeed());
        Assert.False(streak.Failing);
        Assert.True(streak.Fail("Unreachable"));
    }

    [Fact]
    public void A_failure_of_another_kind_is_a_change_of_state()
    {
        var streak = new FailureStreak();
        Assert.True(streak.Fail("Unreachable"));
        Assert.True(streak.Fail("Forbidden"));
        Assert.False(streak.Fail("Forbidden"));
        Assert.Equal(3, streak.Failures);
    }
}
