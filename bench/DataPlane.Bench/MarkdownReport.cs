using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>The run's results as Markdown, ready to paste into docs/benchmarks.md; every Δ and ratio is against the floor of the same scenario.</summary>
public static class MarkdownReport
{
    /// <summary>The targets: at most this much added at p99 at the paced rate...</summary>
    public const double MaxAddedP99Milliseconds = 2.0;

    /// <summary>...and at least this share of the floor's throughput flat out.</summary>
    public const double MinThroughputRatio = 0.5;

    public static string Render(BenchSettings settings, IReadOnlyList<PathResult> results, string loadBefore, string loadAfter, TimeSpan total)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Data plane ({settings.Mode} run, paced {settings.PacedRate}/s for {settings.PacedDuration.TotalSeconds * settings.Rounds:F0} s and flat out for {settings.FlatOutDuration.TotalSeconds * settings.Rounds:F0} s per path, {settings.Rounds} round(s); gateway address {(settings.Relay ? "relaying over TCP" : "handing connections to the gateway")}; {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average {loadBefore} before, {loadAfter} after; total {total.TotalSeconds:F0} s)"));
        text.AppendLine();
        text.AppendLine("| Scenario | Path | Requests | Req/s | Failures | p50 ms | p90 ms | p99 ms | max ms | CPU µs/req | Δp50 ms | Δp99 ms | Req/s ÷ floor |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var scenario in results.GroupBy(r => r.Scenario))
        {
            var floor = scenario.Single(r => r.Role == PathRole.Floor);
            foreach (var r in scenario)
            {
                var l = r.Latency;
                text.AppendLine(Invariant($"| {r.Scenario} | {r.Path} | {r.Requests} | {r.RequestsPerSecond:F0} | {r.Failures} | {l.P50:F2} | {l.P90:F2} | {l.P99:F2} | {l.Max:F1} | {r.CpuMicrosecondsPerRequest:F0} | {Signed(l.P50 - floor.Latency.P50)} | {Signed(l.P99 - floor.Latency.P99)} | {r.RequestsPerSecond / floor.RequestsPerSecond:F2} |"));
            }
        }

        var paced = results.Where(r => r.DispatchLag.Count > 0).ToList();
        if (paced.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"Paced dispatcher lateness (included in the paced latencies): p50 {paced.Max(r => r.DispatchLag.P50):F3} ms, p99 {paced.Max(r => r.DispatchLag.P99):F3} ms, max {paced.Max(r => r.DispatchLag.Max):F1} ms (worst path)."));
        }

        text.AppendLine();
        text.AppendLine("| Target | Floor | System | Measured | Met |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var scenario in results.GroupBy(r => r.Scenario))
        {
            var floor = scenario.Single(r => r.Role == PathRole.Floor);
            var system = scenario.Single(r => r.Role == PathRole.System);
            if (floor.DispatchLag.Count > 0)
            {
                var added = system.Latency.P99 - floor.Latency.P99;
                text.AppendLine(Invariant($"| {scenario.Key}: added p99 ≤ {MaxAddedP99Milliseconds:F0} ms | {floor.Latency.P99:F2} ms | {system.Latency.P99:F2} ms | {Signed(added)} ms | {Met(added <= MaxAddedP99Milliseconds)} |"));
                text.AppendLine(Invariant($"| {scenario.Key}: added p50 (no target) | {floor.Latency.P50:F2} ms | {system.Latency.P50:F2} ms | {Signed(system.Latency.P50 - floor.Latency.P50)} ms | |"));
            }
            else
            {
                if (scenario.SingleOrDefault(r => r.Role == PathRole.Transparent) is { } transparent)
                {
                    var cpuRatio = transparent.CpuMicrosecondsPerRequest / system.CpuMicrosecondsPerRequest;
                    text.AppendLine(Invariant($"| {scenario.Key}: transparent CPU/request ≤ 1.1 × explicit | {system.CpuMicrosecondsPerRequest:F0} µs | {transparent.CpuMicrosecondsPerRequest:F0} µs | {cpuRatio:F2} × | {Met(cpuRatio <= 1.1)} |"));
                }

                var ratio = system.RequestsPerSecond / floor.RequestsPerSecond;
                text.AppendLine(Invariant($"| {scenario.Key}: throughput ≥ {MinThroughputRatio:F1} × floor | {floor.RequestsPerSecond:F0}/s | {system.RequestsPerSecond:F0}/s | {ratio:F2} × | {Met(ratio >= MinThroughputRatio)} |"));
            }
        }

        var failed = results.Where(r => r.Failures > 0).ToList();
        if (failed.Count > 0)
        {
            text.AppendLine();
            foreach (var r in failed)
            {
                text.AppendLine(Invariant($"Failures on {r.Scenario} / {r.Path}: {r.Failures}, first: `{r.FirstError}`"));
            }
        }

        return text.ToString();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Signed(double value) => value.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
