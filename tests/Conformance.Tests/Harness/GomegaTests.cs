using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>The Gomega-like waits keep Gomega's semantics: consecutive passes, the last failure reported, every Consistently probe must pass.</summary>
public sealed class GomegaTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Must_pass_repeatedly_counts_passes_in_a_row()
    {
        var calls = 0;
        // pass, fail, pass, pass, pass: three in a row only from the third call on.
        await Gomega.Eventually(() => { calls++; Assert.NotEqual(2, calls); return Task.CompletedTask; }, TimeSpan.FromSeconds(10), Poll, "probe", passes: 3);

        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task Eventually_reports_the_last_failure_when_the_budget_runs_out()
    {
        var error = await Assert.ThrowsAsync<ConformanceTimeoutException>(() =>
            Gomega.Eventually(() => throw new InvalidOperationException("ServiceImport was not found"), TimeSpan.FromMilliseconds(50), Poll, "import"));

        Assert.Contains("ServiceImport was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consistently_fails_on_the_first_failing_probe()
    {
        var calls = 0;
        await Assert.ThrowsAsync<ConformanceTimeoutException>(() =>
            Gomega.Consistently(() => { calls++; Assert.True(calls < 3); return Task.CompletedTask; }, TimeSpan.FromSeconds(10), Poll, "import stays"));

        Assert.Equal(3, calls);
    }
}
