using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>
/// The curve as Markdown tables for docs/benchmarks.md: time, latency and memory per point, normalised per 1,000
/// imports (members × services) and relative to the first point, so growth faster than members × services shows.
/// </summary>
public static class MarkdownReport
{
    private const double MiB = 1024 * 1024;

    public static string Render(IReadOnlyList<ScaleResult> results, TimeSpan repairInterval, TimeSpan total, string load)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Scale ({results.Count} points, repair every {repairInterval.TotalSeconds:F0} s, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {load}, total {total.TotalSeconds:F0} s)"));
        text.AppendLine();
        text.AppendLine("| Cold start: members × services | Imports | All visible s | Writes settled s | Settled s per 1k imports | CPU s | CPU s per 1k imports | Creates | Status patches | Main-resource changes | Missed |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var k = r.Size.Imports / 1000.0;
            var w = r.ColdWrites;
            text.AppendLine(Invariant($"| {r.Size} | {r.Size.Imports} | {r.ColdStart.TotalSeconds:F1} | {r.ColdSettled.TotalSeconds:F1} | {r.ColdSettled.TotalSeconds / k:F2} | {r.ColdStartCpu.TotalSeconds:F1} | {r.ColdStartCpu.TotalSeconds / k:F2} | {w.Creates} | {w.Status} | {w.MainResource} | {r.ColdMissed} |"));
        }

        text.AppendLine();
        text.AppendLine("| Paced: members × services | Exports | Exports/s | Imports/s | p50 ms | p90 ms | p99 ms | max ms | CPU s | Missed | Watch errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var l = r.Paced;
            text.AppendLine(Invariant($"| {r.Size} | {r.PacedExports} | {r.PacedRate:F0} | {r.PacedRate * r.Size.Members:F0} | {l.P50:F1} | {l.P90:F1} | {l.P99:F1} | {l.Max:F1} | {r.PacedCpu.TotalSeconds:F1} | {r.PacedMissed} | {r.WatchErrors} |"));
        }

        text.AppendLine();
        text.AppendLine("| Members × services | Imports held | GC heap MiB | Working set MiB | Silo GC heap MiB | Activations | Silo bytes per activation | Silo bytes per import | Process growth bytes per import |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var perActivation = r.Activations > 0 ? r.SiloGcHeap / (double)r.Activations : double.NaN;
            var growth = (r.Steady.GcHeap - r.Baseline.GcHeap) / (double)r.Imports;
            text.AppendLine(Invariant($"| {r.Size} | {r.Imports} | {r.Steady.GcHeap / MiB:F0} | {r.Steady.WorkingSet / MiB:F0} | {r.SiloGcHeap / MiB:F1} | {r.Activations} | {perActivation:F0} | {r.SiloGcHeap / (double)r.Imports:F0} | {growth:F0} |"));
        }

        if (results.Count > 1)
        {
            var first = results[0];
            text.AppendLine();
            text.AppendLine(Invariant($"Growth relative to {first.Size} (a cost that grows no faster than members × services stays at or under the Imports column):"));
            text.AppendLine();
            text.AppendLine("| Members × services | Imports × | Settled × | Cold CPU × | Paced p99 × | Silo GC heap × | Activations × | Marginal silo bytes per added import | Marginal settle ms per added 1k imports |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in results)
            {
                // The slope from the first point: fixed costs (the silo's own runtime, start-up) cancel out.
                var added = r.Imports - first.Imports;
                var addedCold = r.Size.Imports - first.Size.Imports;
                var bytes = added > 0 ? Invariant($"{(r.SiloGcHeap - first.SiloGcHeap) / (double)added:F0}") : "";
                var cold = addedCold > 0 ? Invariant($"{(r.ColdSettled - first.ColdSettled).TotalMilliseconds / (addedCold / 1000.0):F0}") : "";
                text.AppendLine(Invariant($"| {r.Size} | {r.Size.Imports / (double)first.Size.Imports:F1} | {r.ColdSettled / first.ColdSettled:F1} | {r.ColdStartCpu / first.ColdStartCpu:F1} | {r.Paced.P99 / first.Paced.P99:F1} | {r.SiloGcHeap / (double)first.SiloGcHeap:F1} | {r.Activations / (double)first.Activations:F1} | {bytes} | {cold} |"));
            }
        }

        text.AppendLine();
        text.AppendLine("| Sockets: members × services | After | Process sockets | Per member | Established to member API ports | API port connections per member (max) | Of them HTTP/2 (the silo's) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            foreach (var s in r.Sockets)
            {
                text.AppendLine(Invariant($"| {r.Size} | {s.Phase} | {s.ProcessSockets} | {s.SocketsPerMember:F1} | {s.EstablishedToMembers} | {s.ApiConnections / (double)s.Members:F1} ({s.MaxApiConnections}) | {s.Http2Connections} |"));
            }
        }

        text.AppendLine();
        text.AppendLine("Activations by grain type:");
        text.AppendLine();
        foreach (var r in results)
        {
            text.AppendLine(Invariant($"- {r.Size}: {string.Join(", ", r.ActivationsByType.Select(t => $"{t.GrainType} {t.Activations}"))}"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
