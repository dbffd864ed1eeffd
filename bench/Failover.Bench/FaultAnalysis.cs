using System.Diagnostics;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>Turns the recorded requests and routing changes of each fault window into <see cref="FaultResult"/>s.</summary>
public static class FaultAnalysis
{
    /// <summary>A request still failing or slow this close to the heal means the data plane never rerouted.</summary>
    private static readonly TimeSpan NeverMargin = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<FaultResult> Analyse(IReadOnlyList<FaultWindow> windows, IReadOnlyList<RequestRecord> records, RoutingTimeline timeline, BenchSettings settings)
    {
        var results = new List<FaultResult>();
        var slowTicks = (long)(settings.SlowThreshold.TotalSeconds * Stopwatch.Frequency);
        foreach (var window in windows)
        {
            for (var i = 0; i < FailoverTopology.Services.Count; i++)
            {
                var service = FailoverTopology.Services[i];
                var target = FailoverTopology.TargetOf(window.Kind, service);
                var onPath = service.Exporters.Contains(target);
                var index = i;
                var sent = records.Where(r => r.Service == index && r.Start >= window.Start && r.Start < window.End).ToList();
                var held = sent.Where(r => r.Start < window.Heal).ToList();
                bool Bad(RequestRecord r) => !r.Succeeded || r.End - r.Start > slowTicks;

                double? reroute = 0;
                if (held.Where(Bad).Select(r => (long?)r.Start).Max() is { } lastBad)
                {
                    reroute = Seconds(window.Heal - lastBad) < NeverMargin.TotalSeconds ? null : Seconds(lastBad - window.Start);
                }

                var members = window.RoutingMembers[service.Name];
                double? routing = null;
                double? recovery = null;
                if (onPath)
                {
                    routing = members.Count == 0 ? null
                        : timeline.FirstEverywhere(service, target, members, active: false, window.Start, window.Heal) is { } changed ? Seconds(changed - window.Start) : null;
                    var answered = sent.Where(r => r.Start >= window.Heal && r.Succeeded && r.Member == target).Select(r => (long?)r.End).Min();
                    var routed = timeline.FirstEverywhere(service, target, members, active: true, window.Heal, window.End);
                    recovery = answered is { } a && routed is { } b ? Seconds(Math.Max(a, b) - window.Heal) : null;
                }

                results.Add(new FaultResult(
                    window.Kind,
                    service.Name,
                    service.LbType,
                    target,
                    onPath,
                    window.SteadyBefore,
                    sent.Count,
                    sent.Count(r => !r.Succeeded),
                    sent.Count(r => r.Succeeded && r.End - r.Start > slowTicks),
                    reroute,
                    members.Count,
                    routing,
                    LatencySummary.From([.. held.Select(r => r.LatencyMs)]).P99,
                    recovery,
                    sent.Where(r => !r.Succeeded).GroupBy(r => r.Failure!).ToDictionary(g => g.Key, g => g.Count())));
            }
        }

        return results;
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
