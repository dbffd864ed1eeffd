using System.Diagnostics;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// Plays the faults one after the other under the running load: a steady period, the fault held for a fixed time,
/// healed, then a recovery period that ends once every service on the fault's path is answered by the faulted
/// member again and routes to it as Active everywhere (or after the recovery timeout).
/// </summary>
public static class FaultRun
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>After recovery, a little more load before the next steady period starts counting (its requests still belong to this window).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<FaultWindow>> RunAsync(
        FailoverTopology topology,
        OpenLoopLoad load,
        RoutingTimeline timeline,
        BenchSettings settings,
        Action<string> progress,
        CancellationToken cancellationToken)
    {
        var windows = new List<FaultWindow>();
        foreach (var fault in Enum.GetValues<FaultKind>())
        {
            await Task.Delay(settings.Steady, cancellationToken);
            var steady = topology.SteadyRouting();
            var before = Stopwatch.GetTimestamp();
            var members = FailoverTopology.Services.ToDictionary(
                s => s.Name,
                s => RoutingMembers(timeline, s, fault, before));

            progress($"{topology.Configuration.Name}: {fault.Label()}{(steady ? "" : " (routing was not steady before it)")}");
            var start = Stopwatch.GetTimestamp();
            await topology.ApplyAsync(fault, cancellationToken);
            await Task.Delay(settings.Hold - Stopwatch.GetElapsedTime(start) is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, cancellationToken);

            var heal = Stopwatch.GetTimestamp();
            await topology.HealAsync(fault, cancellationToken);
            while (Stopwatch.GetElapsedTime(heal) < settings.RecoveryTimeout && !Recovered(topology, load, timeline, fault, members, heal))
            {
                await Task.Delay(Poll, cancellationToken);
            }

            var recovered = Stopwatch.GetElapsedTime(heal);
            progress($"{topology.Configuration.Name}: healed; {(recovered < settings.RecoveryTimeout ? $"recovered after {recovered.TotalSeconds:F1} s" : $"NOT recovered within {settings.RecoveryTimeout.TotalSeconds:F0} s")}");
            await Task.Delay(Settle, cancellationToken);
            windows.Add(new FaultWindow(fault, start, heal, Stopwatch.GetTimestamp(), steady, members));
        }

        return windows;
    }

    private static IReadOnlyList<string> RoutingMembers(RoutingTimeline timeline, BenchService service, FaultKind fault, long at)
    {
        var target = FailoverTopology.TargetOf(fault, service);
        return [.. service.PolicyMembers.Where(m => timeline.ActiveAt(service, m, target, at) && !(fault == FaultKind.ApiServerOffline && m == target))];
    }

    private static bool Recovered(FailoverTopology topology, OpenLoopLoad load, RoutingTimeline timeline, FaultKind fault, Dictionary<string, IReadOnlyList<string>> members, long heal)
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < FailoverTopology.Services.Count; i++)
        {
            var service = FailoverTopology.Services[i];
            var target = FailoverTopology.TargetOf(fault, service);
            if (!service.Exporters.Contains(target))
            {
                continue;
            }

            if (load.AnsweredSince(i, target, heal) is null
                || timeline.FirstEverywhere(service, target, members[service.Name], active: true, heal, now) is null)
            {
                return false;
            }
        }

        return topology.SteadyRouting();
    }
}
