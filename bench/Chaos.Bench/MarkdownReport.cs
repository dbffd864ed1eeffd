using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>The run as Markdown: settings, operations, faults, convergence and the check's findings.</summary>
public static class MarkdownReport
{
    public static string Render(ChaosResult result)
    {
        var s = result.Settings;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Chaos run: seed {s.Seed}, {s.Mode}, store {StoreName(s.Store)}, {s.SiloCount} silo process{(s.SiloCount == 1 ? "" : "es")}");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| operations | {result.OperationCount} ({result.FailedOperations} failed after retries): {string.Join(", ", result.Operations.Where(o => o.Value > 0).Select(o => $"{o.Key} {o.Value}"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| faults | {result.Faults.Values.Sum()}: {string.Join(", ", result.Faults.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| convergence after the last fault was healed | {(result.Convergence is { } c ? $"{c.TotalSeconds:F1} s" : $"not within {s.ConvergenceTimeout.TotalSeconds:F0} s")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ServiceImports expected (all members, flomesh.io and multicluster.x-k8s.io) | {result.Final.Expected} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| lost imports (missing) | {result.Final.Lost.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| extra imports (should not exist) | {result.Final.Extra.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| spec mismatches (type, affinity, ports, endpoints) | {result.Final.SpecMismatches.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| routing mismatches (status.routing) | {result.Final.RoutingMismatches.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| run time | {result.Duration.TotalSeconds:F0} s |");
        md.AppendLine();
        var findings = result.Final.Findings.ToList();
        if (findings.Count > 0)
        {
            md.AppendLine("Findings:");
            md.AppendLine();
            foreach (var finding in findings.Take(40))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {finding}");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    public static string StoreName(StoreKind store) => store switch
    {
        StoreKind.Memory => "memory",
        StoreKind.Redis => "Redis",
        _ => "Azure Table (Azurite)",
    };
}
