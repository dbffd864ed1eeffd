using System.Diagnostics;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// Samples every 50 ms, for each service and each member holding its policy, whether that member's ServiceImport
/// routes to each exporter's endpoints as Active (read from the members' stores, so an offline API server does not
/// hide its last state); keeps the changes with their timestamps.
/// </summary>
public sealed class RoutingTimeline : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    private readonly FailoverTopology _topology;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Service, string Member, string Exporter), List<(long At, bool Active)>> _changes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    public RoutingTimeline(FailoverTopology topology)
    {
        _topology = topology;
        _sampler = Task.Run(SampleAsync);
    }

    /// <summary>Whether <paramref name="member"/> routed to <paramref name="exporter"/>'s endpoints as Active at <paramref name="at"/> (the last sample before it).</summary>
    public bool ActiveAt(BenchService service, string member, string exporter, long at)
    {
        lock (_gate)
        {
            var changes = _changes.GetValueOrDefault((service.Name, member, exporter)) ?? [];
            var state = false;
            foreach (var (when, active) in changes)
            {
                if (when > at)
                {
                    break;
                }

                state = active;
            }

            return state;
        }
    }

    /// <summary>
    /// The first time in [<paramref name="from"/>, <paramref name="until"/>] at which every one of
    /// <paramref name="members"/> routes to <paramref name="exporter"/> as <paramref name="active"/>; null if never.
    /// </summary>
    public long? FirstEverywhere(BenchService service, string exporter, IReadOnlyList<string> members, bool active, long from, long until)
    {
        lock (_gate)
        {
            var candidates = members
                .SelectMany(m => (_changes.GetValueOrDefault((service.Name, m, exporter)) ?? []).Select(c => c.At))
                .Where(t => t > from && t <= until)
                .Prepend(from)
                .Order();
            foreach (var t in candidates)
            {
                if (members.All(m => ActiveAt(service, m, exporter, t) == active))
                {
                    return t;
                }
            }

            return null;
        }
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var service in FailoverTopology.Services)
            {
                foreach (var member in service.PolicyMembers)
                {
                    foreach (var exporter in service.Exporters)
                    {
                        var active = _topology.EndpointStates(member, service, exporter).Contains(EndpointStates.Active);
                        lock (_gate)
                        {
                            if (!_changes.TryGetValue((service.Name, member, exporter), out var changes))
                            {
                                _changes[(service.Name, member, exporter)] = changes = [];
                            }

                            if (changes.Count == 0 || changes[^1].Active != active)
                            {
                                changes.Add((now, active));
                            }
                        }
                    }
                }
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }
}
