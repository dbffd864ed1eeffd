using System.Globalization;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>Scrapes a <c>/metrics</c> endpoint over HTTP and parses the text format (samples only).</summary>
public static partial class PrometheusScrape
{
    public static async Task<IReadOnlyList<PrometheusSample>> GetAsync(HttpClient http, Uri metrics)
    {
        var text = await http.GetStringAsync(metrics);
        return Parse(text);
    }

    public static IReadOnlyList<PrometheusSample> Parse(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(ParseLine)];

    /// <summary>The sum of a metric's samples whose labels include every given one.</summary>
    public static double Sum(this IEnumerable<PrometheusSample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    private static PrometheusSample ParseLine(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.LastIndexOf('}');
        string name;
        string rest;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (brace >= 0 && close > brace)
        {
            name = line[..brace];
            foreach (Match m in Label().Matches(line[(brace + 1)..close]))
            {
                labels[m.Groups[1].Value] = m.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            rest = line[(close + 1)..].Trim();
        }
        else
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            name = line[..space];
            rest = line[(space + 1)..].Trim();
        }

        var value = rest.Split(' ')[0];
        return new PrometheusSample(name, labels, value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(value, CultureInfo.InvariantCulture),
        });
    }

    [GeneratedRegex("""(\w+)="((?:[^"\\]|\\.)*)"(?:,|$)""")]
    private static partial Regex Label();
}
