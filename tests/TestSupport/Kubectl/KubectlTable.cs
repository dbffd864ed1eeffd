using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.TestSupport.Kubectl;

/// <summary>
/// kubectl's human-readable table, cut at the header's column positions (tabwriter left-aligns cells, so a cell
/// starts where its header starts; empty cells stay empty instead of shifting the next column left).
/// </summary>
public sealed partial class KubectlTable
{
    private KubectlTable(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyDictionary<string, string>> rows)
    {
        Headers = headers;
        Rows = rows;
    }

    public IReadOnlyList<string> Headers { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    public IReadOnlyDictionary<string, string> Row(string name) =>
        Rows.SingleOrDefault(r => r["NAME"] == name) ?? throw new InvalidOperationException($"no row named {name}; rows: {string.Join(", ", Rows.Select(r => r["NAME"]))}");

    public static KubectlTable Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            return new KubectlTable([], []);
        }

        var header = lines[0];
        var starts = HeaderCell().Matches(header).Select(m => (m.Index, Name: m.Value)).ToList();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < starts.Count; i++)
            {
                var start = starts[i].Index;
                var end = i + 1 < starts.Count ? starts[i + 1].Index : line.Length;
                row[starts[i].Name] = start >= line.Length ? "" : line[start..Math.Min(end, line.Length)].Trim();
            }

            rows.Add(row);
        }

        return new KubectlTable(starts.Select(s => s.Name).ToList(), rows);
    }

    // A header cell: words separated by single spaces ("LB TYPE", "NOMINATED NODE"); columns are 3+ spaces apart.
    [GeneratedRegex(@"\S+(?: \S+)*")]
    private static partial Regex HeaderCell();
}
