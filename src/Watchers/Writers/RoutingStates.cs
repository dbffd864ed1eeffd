using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// Which members a routing lists, and whether each is failed over there: every endpoint of it Unhealthy (it takes
/// no traffic, standbys or the other members do). Read from a <see cref="Routing"/> (a member's status.routing:
/// <see cref="RoutingJson.FromStored"/>).
/// </summary>
public static class RoutingStates
{
    /// <summary>Member → failed over, for the members the routing lists.</summary>
    public static IReadOnlyDictionary<string, bool> FailedOver(Routing routing) =>
        Of(routing.Ports.SelectMany(p => p.Endpoints).Select(e => (e.ClusterKey, e.State)));

    /// <summary>Members whose failed-over state differs between two routings (members in only one are no transition).</summary>
    public static IEnumerable<(string Member, bool FailedOver)> Transitions(IReadOnlyDictionary<string, bool> before, IReadOnlyDictionary<string, bool> after) =>
        after.Where(a => before.TryGetValue(a.Key, out var was) && was != a.Value).Select(a => (a.Key, a.Value)).OrderBy(a => a.Key, StringComparer.Ordinal);

    /// <summary>Active endpoints per member the routing lists (0 for a failed-over one).</summary>
    public static IReadOnlyDictionary<string, int> ActiveByMember(Routing routing) =>
        routing.Ports.SelectMany(p => p.Endpoints).GroupBy(e => e.ClusterKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(e => e.State == EndpointStates.Active), StringComparer.Ordinal);

    /// <summary>Members taking traffic now, for an Event's "where traffic goes" (Active first, then standbys).</summary>
    public static IReadOnlyList<string> TakingTraffic(Routing routing)
    {
        var endpoints = routing.Ports.SelectMany(p => p.Endpoints).ToList();
        var active = endpoints.Where(e => e.State == EndpointStates.Active).Select(e => e.ClusterKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return active.Count > 0 ? active : [.. endpoints.Where(e => e.State == EndpointStates.Standby).Select(e => e.ClusterKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static Dictionary<string, bool> Of(IEnumerable<(string ClusterKey, string State)> endpoints) =>
        endpoints.GroupBy(e => e.ClusterKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.All(e => e.State == EndpointStates.Unhealthy), StringComparer.Ordinal);
}
