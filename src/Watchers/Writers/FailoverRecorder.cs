using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// What a landed routing did to traffic in the consuming member: each member whose endpoints failed over or back is
/// counted, timed from the health change first seen, and told as an Event on the ServiceImport, once per transition
/// and never per retry (it is called only after the patch landed). Also the source of the active endpoint gauges.
/// Only the queue's worker for a key records it; the map is concurrent because workers of other keys, the watch's
/// deletes and the gauge's reads meet there.
/// </summary>
public sealed class FailoverRecorder(string clusterKey, IMemberImportApi api, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<WorkKey, Written> _written = new();
    private readonly KeyValuePair<string, object?> _consumer = WriterMetrics.ConsumingMember(clusterKey);

    /// <summary>Active endpoints per service (<c>namespace/name</c>) and exporting member, as last written.</summary>
    public IReadOnlyList<(string Service, string Member, int Count)> ActiveEndpointsByMember() =>
        [.. _written.SelectMany(w => w.Value.Active.Select(m => ($"{w.Key.Namespace}/{w.Key.Name}", m.Key, m.Value)))];

    /// <summary>
    /// <paramref name="routing"/> landed; <paramref name="shown"/> is what the member showed before, for the state
    /// before a first write here. A routing seen for the first time is no transition: the member never had another.
    /// </summary>
    public async Task LandedAsync(WorkKey key, PatchRouting routing, Routing? shown, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routing);
        var after = RoutingStates.FailedOver(routing.Routing);
        var before = _written.TryGetValue(key, out var known) ? known.FailedOver : shown is { } held ? RoutingStates.FailedOver(held) : null;
        _written[key] = new Written(after, RoutingStates.ActiveByMember(routing.Routing));
        if (before is not null)
        {
            await TellAsync(key, routing, before, after, cancellationToken);
        }
    }

    /// <summary>The member no longer holds the import: what it had is no state to fail over from.</summary>
    public void Forget(WorkKey key) => _written.TryRemove(key, out _);

    private async Task TellAsync(WorkKey key, PatchRouting routing, IReadOnlyDictionary<string, bool> before, IReadOnlyDictionary<string, bool> after, CancellationToken cancellationToken)
    {
        var service = $"{key.Namespace}/{key.Name}";
        foreach (var (member, failedOver) in RoutingStates.Transitions(before, after))
        {
            var now = time.GetUtcNow();
            var cause = routing.Causes.GetValueOrDefault(member);
            var direction = failedOver ? "failover" : "failback";
            var memberTag = new KeyValuePair<string, object?>("member", member);
            var directionTag = new KeyValuePair<string, object?>("direction", direction);
            WriterMetrics.Failovers.Add(1, memberTag, new("service", service), new("reason", cause?.Reason ?? RoutingEvents.UnknownReason), directionTag);
            if (cause is { Since: var since } && since != default)
            {
                WriterMetrics.FailoverDuration.Record(Math.Max(0, (now - since).TotalSeconds), memberTag, _consumer, directionTag);
            }

            var reason = failedOver ? RoutingEvents.FailedOver : RoutingEvents.FailedBack;
            var message = RoutingEvents.Message(member, failedOver, cause, routing.Routing, now);
            logger.RoutingTransition(clusterKey, key.Namespace, key.Name, reason, message);
            try
            {
                // Best effort and once: the routing is what matters, and a retried Event would tell the story twice.
                await api.RecordEventAsync(key.Namespace, key.Name, failedOver, reason, message, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.EventFailed(clusterKey, key.Namespace, key.Name, reason, ex.Message);
            }
        }
    }

    /// <summary>Per member of the routing last written: failed over, and its active endpoints (for the gauge).</summary>
    private sealed record Written(IReadOnlyDictionary<string, bool> FailedOver, IReadOnlyDictionary<string, int> Active);
}
