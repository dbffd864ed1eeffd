using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>The run's results as Markdown tables, ready to paste into docs/benchmarks.md; ratios are ours ÷ the floor's.</summary>
public static class MarkdownReport
{
    public static string Render(BenchSettings settings, PipelineResult floor, PipelineResult ours, TimeSpan total)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Propagation ({settings.Mode} run, {settings.Members} members, {settings.Services} exports per phase, repair every {settings.RepairInterval.TotalSeconds:F0} s, {Environment.ProcessorCount} cores, .NET {Environment.Version}, total {total.TotalSeconds:F0} s)"));
        text.AppendLine();
        text.AppendLine("| Cold start | Exports | Imports | Converged s | Missed | CPU s | ÷ floor |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in new[] { floor, ours })
        {
            var c = r.ColdStart;
            text.AppendLine(Invariant($"| {r.Pipeline} | {c.Exports} | {c.Exports * c.Members} | {c.Converged.TotalSeconds:F2} | {c.Missed} | {c.ProcessCpu.TotalSeconds:F1} | {c.Converged / floor.ColdStart.Converged:F2} |"));
        }

        text.AppendLine();
        text.AppendLine("| Scenario | Pipeline | Exports | Rate (/s) | p50 ms | p90 ms | p99 ms | max ms | Missed | CPU s | GC pause ms | Gen2 GCs | p50 ÷ floor | p99 ÷ floor |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (f, o) in floor.Phases.Zip(ours.Phases))
        {
            foreach (var (pipeline, p) in new[] { (floor.Pipeline, f), (ours.Pipeline, o) })
            {
                var l = p.Latency;
                text.AppendLine(Invariant($"| {p.Scenario} | {pipeline} | {p.Exports} | {p.Rate:F0} | {l.P50:F1} | {l.P90:F1} | {l.P99:F1} | {l.Max:F1} | {p.Missed} | {p.ProcessCpu.TotalSeconds:F1} | {p.GcPause.TotalMilliseconds:F0} | {p.Gen2Collections} | {l.P50 / f.Latency.P50:F2} | {l.P99 / f.Latency.P99:F2} |"));
            }
        }

        text.AppendLine();
        text.AppendLine(Invariant($"Watch errors (resumed): floor {floor.WatchErrors}, {ours.Pipeline} {ours.WatchErrors}."));
        if (ours.HealthFlip is { } flip)
        {
            text.AppendLine();
            text.Append(RenderFlip(flip));
        }
        return text.ToString();
    }

    private static string RenderFlip(HealthFlipResult flip)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Health flip of {flip.Member} ({flip.MemberExports} of its exports imported in {flip.Members} members; {flip.Probes} of them with an ActiveActive policy in every member). ServiceImport changes committed in all members; a status change must reach at least {flip.MinimumStatusPatches} imports per direction."));
        text.AppendLine();
        text.AppendLine("| Window | Seen everywhere after s | Status patches | Spec writes | Metadata-only writes | Bookkeeping-only | Creates | Deletes | Main-resource writes |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (window, after, c) in new[]
        {
            ($"quiet {flip.BackgroundWindow.TotalSeconds:F0} s before", (TimeSpan?)null, flip.Background),
            ("gateway stopped → Unhealthy", flip.Detected, flip.Down),
            ("gateway started → Active", flip.Recovered, flip.Up),
        })
        {
            var seen = after is { } t ? Invariant($"{t.TotalSeconds:F1}") : window.StartsWith("quiet", StringComparison.Ordinal) ? "" : "never";
            text.AppendLine(Invariant($"| {window} | {seen} | {c.Status} | {c.Spec} | {c.Metadata} | {c.Bookkeeping} | {c.Creates} | {c.Deletes} | {c.MainResource} |"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
