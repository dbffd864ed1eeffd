using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The conformance report README.md's table is filled from: a markdown table (case, upstream spec text, label, result,
/// duration), cases in id order. Written when the shared system goes, to <c>artifacts/conformance-report.md</c> or
/// to the path in ERIE_CANAL_CONFORMANCE_REPORT.
/// </summary>
public sealed class ConformanceReport
{
    private readonly List<CaseResult> _results = [];

    public IReadOnlyList<CaseResult> Results
    {
        get
        {
            lock (_results)
            {
                return _results.ToList();
            }
        }
    }

    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("ERIE_CANAL_CONFORMANCE_REPORT") is { Length: > 0 } path
            ? path
            : Path.Combine(RepoPaths.Root, "artifacts", "conformance-report.md");

    public void Add(CaseResult result)
    {
        lock (_results)
        {
            _results.Add(result);
        }
    }

    public static string Render(IEnumerable<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| Case | Upstream spec | Label | Result | Duration |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var r in results.OrderBy(r => r.Case.Id, StringComparer.Ordinal))
        {
            var result = r.Passed ? "pass" : "FAIL: " + Cell(r.Failure ?? "");
            text.Append(CultureInfo.InvariantCulture, $"| {r.Case.Id} | {Cell(r.Case.Spec)} ({r.Case.File}) | {Cell(r.Case.LabelText)} | {result} | {r.Duration.TotalSeconds:0.0} s |").AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Writes the table; nothing when no case ran (a run filtered to other tests keeps the last report).</summary>
    public void Write(string path)
    {
        var results = Results;
        if (results.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Render(results));
    }

    // A table cell: one line, pipes escaped, long failure text cut.
    private static string Cell(string text)
    {
        var line = text.Split('\n')[0].Trim().Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
