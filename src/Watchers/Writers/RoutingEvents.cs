using System.Globalization;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The Events a consuming member's ServiceImport gets when its routing fails over and back, so
/// <c>kubectl describe serviceimport</c> there tells the story: which member, why, and where traffic goes now.
/// </summary>
public static class RoutingEvents
{
    /// <summary>Warning: a member's endpoints went Unhealthy in this import's routing.</summary>
    public const string FailedOver = "FailedOver";

    /// <summary>Normal: a member's endpoints take traffic again.</summary>
    public const string FailedBack = "FailedBack";

    /// <summary>The reason when the decision behind a transition is unknown (e.g. the engine restarted since).</summary>
    public const string UnknownReason = "Unknown";

    /// <summary>The member is unhealthy by the directory's last word (no health decision received yet).</summary>
    public const string MemberUnhealthy = "MemberUnhealthy";

    /// <summary>The member is healthy by the directory's last word.</summary>
    public const string MemberHealthy = "MemberHealthy";

    /// <summary>The member is healthy but this service's endpoints there are not (its own health).</summary>
    public const string ServiceUnhealthy = "ServiceUnhealthy";

    /// <summary>This service's endpoints in a healthy member are healthy again.</summary>
    public const string ServiceHealthy = "ServiceHealthy";

    public static string Message(string member, bool failedOver, RoutingCause? cause, Routing routing, DateTimeOffset now)
    {
        var why = cause is null ? UnknownReason : cause.Reason;
        var seen = cause is { Since: var since } && since != default
            ? string.Create(CultureInfo.InvariantCulture, $", first seen {(now - since).TotalSeconds:0.0}s before this write")
            : "";
        var targets = RoutingStates.TakingTraffic(routing);
        var where = targets.Count == 0 ? "no endpoint takes traffic now" : $"traffic goes to {string.Join(", ", targets)}";
        return failedOver
            ? $"Endpoints of member {member} are Unhealthy ({why}{seen}); {where}"
            : $"Endpoints of member {member} take traffic again ({why}{seen}); {where}";
    }
}
