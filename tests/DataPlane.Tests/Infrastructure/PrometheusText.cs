using System.Globalization;
using ErieCanal.Orleans.DataPlane.Hosting;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>A scrape of a data-plane component's GET /metrics over a plain socket, and the samples in it.</summary>
public sealed class PrometheusText(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusText> ScrapeAsync(DataPlaneServer server)
    {
        await using var http = await RawHttp.ConnectAsync(server.EndPoint);
        var (status, body) = await http.GetAsync("/metrics");
        Assert.Equal(200, status);
        return new PrometheusText(body);
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string metric, params (string Name, string Value)[] labels) => Samples(metric, labels).Sum();

    public IEnumerable<double> Samples(string metric, params (string Name, string Value)[] labels)
    {
        foreach (var line in Text.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.IndexOf('}', StringComparison.Ordinal);
            var labelText = line[(metric.Length + 1)..close];
            if (labels.All(l => labelText.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                yield return double.Parse(line[(close + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
    }
}
