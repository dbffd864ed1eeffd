using Xunit;

namespace ErieCanal.Orleans.TestSupport.Kubectl;

/// <summary>What one kubectl run produced; <see cref="TimedOut"/> means the runner killed it.</summary>
public sealed record KubectlResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Non-empty stdout lines, trailing whitespace trimmed.</summary>
    public IReadOnlyList<string> Lines =>
        Stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();

    public KubectlTable Table => KubectlTable.Parse(Stdout);

    public KubectlResult AssertSuccess()
    {
        Assert.True(Succeeded, $"expected success: {this}");
        return this;
    }

    public KubectlResult AssertFailure()
    {
        Assert.False(TimedOut, $"expected kubectl to fail, not to hang: {this}");
        Assert.True(ExitCode != 0, $"expected failure: {this}");
        return this;
    }

    public override string ToString() =>
        $"`{Command}` exit={ExitCode}{(TimedOut ? " (timed out, killed)" : "")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
