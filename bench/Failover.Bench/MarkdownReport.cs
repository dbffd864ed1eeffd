using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>The run's results as Markdown tables, ready to paste into docs/benchmarks.md.</summary>
public static class MarkdownReport
{
    public static string Render(BenchSettings settings, IReadOnlyList<ConfigurationResult> results, string loadBefore, string loadAfter, TimeSpan total)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Failover ({settings.Mode} run: {settings.Rate} requests/s open loop over {FailoverTopology.Services.Count} services through {FailoverTopology.Consumer}'s proxy; each fault held {settings.Hold.TotalSeconds:F0} s after {settings.Steady.TotalSeconds:F0} s steady, recovery waited for up to {settings.RecoveryTimeout.TotalSeconds:F0} s; client timeout {settings.RequestTimeout.TotalSeconds:F0} s, slow > {settings.SlowThreshold.TotalMilliseconds:F0} ms; {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {loadBefore} before, {loadAfter} after; total {total.TotalSeconds:F0} s)"));
        text.AppendLine();
        text.AppendLine(string.Join(" ", FailoverTopology.Services.Select(s =>
            $"`{s.Name}` is {s.LbType} (pods in {string.Join(" and ", s.Exporters)}{(s.LbType == Interfaces.LbTypes.FailOver ? $"; primary {s.Primary}, the consumer's own pods" : "")}).")));
        text.AppendLine(Invariant($"Member-level faults hit {FailoverTopology.FaultedMember}; pod-level faults hit each service's primary Deployment. \"never\": not within the hold (reroute, routing) or the recovery timeout (recovery); \"—\": the fault is not on the service's path."));

        foreach (var result in results)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"**{result.Configuration.Name}** ({result.Configuration.Description}): {result.Requests} requests in {result.Elapsed.TotalSeconds:F0} s, {result.LateDispatches} sent > 10 ms late{(result.SteadyAtEnd ? "" : "; **did not return to steady state after the last fault**")}."));
            text.AppendLine();
            text.AppendLine("| Fault | Service | Faulted | Sent | Failed | Slow | Reroute s | Routing everywhere s (members) | p99 ms during fault | Recovery s | Failures |");
            text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var f in result.Faults)
            {
                var failures = string.Join(", ", f.Failures.OrderByDescending(p => p.Value).Select(p => $"{p.Key} × {p.Value}"));
                text.AppendLine(Invariant($"| {f.Fault.Label()}{(f.SteadyBefore ? "" : " (unsteady start)")} | {f.Service} ({f.LbType}) | {f.Target} | {f.Sent} | {f.Failed} | {f.Slow} | {Seconds(f.Reroute)} | {Routing(f)} | {f.P99Ms:F0} | {(f.OnPath ? Seconds(f.Recovery) : "—")} | {failures} |"));
            }
        }

        if (results.Count == 2)
        {
            var (ours, theirs) = (results[0], results[1]);
            text.AppendLine();
            text.AppendLine(Invariant($"Side by side: {ours.Configuration.Name} / {theirs.Configuration.Name}."));
            text.AppendLine();
            text.AppendLine("| Fault | Service | Failed | Reroute s | Routing everywhere s | p99 ms during fault | Recovery s |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var (a, b) in ours.Faults.Zip(theirs.Faults))
            {
                text.AppendLine(Invariant($"| {a.Fault.Label()} | {a.Service} | {a.Failed} / {b.Failed} | {Seconds(a.Reroute)} / {Seconds(b.Reroute)} | {Routing(a, members: false)} / {Routing(b, members: false)} | {a.P99Ms:F0} / {b.P99Ms:F0} | {(a.OnPath ? $"{Seconds(a.Recovery)} / {Seconds(b.Recovery)}" : "—")} |"));
            }
        }

        return text.ToString();
    }

    private static string Routing(FaultResult f, bool members = true) =>
        !f.OnPath ? "—" : members ? Invariant($"{Seconds(f.RoutingEverywhere)} ({f.RoutingMembers})") : Seconds(f.RoutingEverywhere);

    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "never";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
