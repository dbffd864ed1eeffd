
namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>One scenario on one path, its rounds merged.</summary>
public sealed record PathResult(string Scenario, string Path, PathRole Role, int Requests, int Failures, TimeSpan Elapsed, TimeSpan ProcessCpu, LatencySummary Latency, LatencySummary DispatchLag, string? FirstError)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>The whole process's CPU (client, proxy, relay, gateway, pods, sandbox) per request, in µs.</summary>
    public double CpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : ProcessCpu.TotalMicroseconds / Requests;

    public static PathResult From(string scenario, RequestPath path, Segment merged) => new(
        scenario,
        path.Name,
        path.Role,
        merged.Requests,
        merged.Failures,
        merged.Elapsed,
        merged.ProcessCpu,
        LatencySummary.From(merged.Latencies),
        LatencySummary.From(merged.DispatchLag),
        merged.FirstError);
}
