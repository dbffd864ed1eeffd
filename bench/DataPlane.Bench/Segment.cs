namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// What one stretch of load on one path measured: per-request latencies of the answered requests (ms), failures,
/// wall time, the whole process's CPU time, and for paced load how late the dispatcher sent each request (ms).
/// </summary>
public sealed record Segment(int Requests, int Failures, TimeSpan Elapsed, TimeSpan ProcessCpu, List<double> Latencies, List<double> DispatchLag, string? FirstError)
{
    public static Segment Merge(IReadOnlyList<Segment> segments) => new(
        segments.Sum(s => s.Requests),
        segments.Sum(s => s.Failures),
        TimeSpan.FromTicks(segments.Sum(s => s.Elapsed.Ticks)),
        TimeSpan.FromTicks(segments.Sum(s => s.ProcessCpu.Ticks)),
        [.. segments.SelectMany(s => s.Latencies)],
        [.. segments.SelectMany(s => s.DispatchLag)],
        segments.Select(s => s.FirstError).FirstOrDefault(e => e is not null));
}
