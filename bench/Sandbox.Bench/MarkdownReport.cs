using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>The run's results as Markdown tables, ready to paste into docs/benchmarks.md.</summary>
public static class MarkdownReport
{
    public static string Render(BenchSettings settings, IReadOnlyList<Throughput> writes, IReadOnlyList<WatchResult> watches, TimeSpan total)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Sandbox capacity ({settings.Mode} run, {Environment.ProcessorCount} cores, .NET {Environment.Version}, total {total.TotalSeconds:F0} s)"));
        text.AppendLine();
        text.AppendLine("| Write | Concurrency | Ops | Seconds | Ops/s | Failures | CPU µs/op |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var w in writes)
        {
            text.AppendLine(Invariant($"| ConfigMap {w.Operation} | {w.Concurrency} | {w.Ops} | {w.Elapsed.TotalSeconds:F2} | {w.OpsPerSecond:F0} | {w.Failures} | {w.CpuMicrosecondsPerOp:F0} |"));
        }

        text.AppendLine();
        text.AppendLine("| Watch scenario | Watchers | Events | Write rate (/s) | Deliveries | p50 ms | p90 ms | p99 ms | max ms | Missed | Duplicates | Watch errors | Drain s | CPU s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in watches)
        {
            var l = r.Latency;
            text.AppendLine(Invariant($"| {r.Scenario} | {r.Watchers} | {r.Events} | {r.WriteRate:F0} | {l.Count} | {l.P50:F1} | {l.P90:F1} | {l.P99:F1} | {l.Max:F1} | {r.Missed} | {r.Duplicates} | {r.WatchErrors} | {r.DrainTime.TotalSeconds:F2} | {r.ProcessCpu.TotalSeconds:F1} |"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
