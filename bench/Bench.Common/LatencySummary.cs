namespace ErieCanal.Orleans.Bench.Common;

/// <summary>Percentiles (nearest rank) of a set of latencies, in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary From(List<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        milliseconds.Sort();
        double Rank(double p) => milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Count) - 1, 0, milliseconds.Count - 1)];
        return new LatencySummary(milliseconds.Count, Rank(0.50), Rank(0.90), Rank(0.99), milliseconds[^1]);
    }
}
