namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// What one fault did to one service's traffic and routing (seconds from the fault's start or heal; null = not
/// within the window: "never" in the report).
/// </summary>
/// <param name="Fault">The fault played.</param>
/// <param name="Service">The service's name.</param>
/// <param name="LbType">Its GlobalTrafficPolicy's lbType.</param>
/// <param name="Target">The member the fault hit for this service.</param>
/// <param name="OnPath">Whether the faulted member serves the service at all (else the row is a control).</param>
/// <param name="SteadyBefore">Whether every routing was as configured when the fault started.</param>
/// <param name="Sent">Requests sent from the fault's start to the end of its recovery period.</param>
/// <param name="Failed">Of those, failed (timeout, connection error, non-2xx, or not answered by a pod).</param>
/// <param name="Slow">Of those, answered but slower than the slow threshold.</param>
/// <param name="Reroute">
/// Data plane: the time from the fault's start to the send time of the last request sent during the hold that
/// failed or was slow; every request sent after it got through in time. 0 when none did; null when one sent in the
/// last second of the hold still did (never rerouted).
/// </param>
/// <param name="RoutingMembers">How many members' routing the fault should change (see <see cref="FaultWindow"/>).</param>
/// <param name="RoutingEverywhere">From the fault's start until none of those members routes to the faulted member as Active; null if not during the hold.</param>
/// <param name="P99Ms">p99 latency (from when due to the end, failures included) of the requests sent during the hold.</param>
/// <param name="Recovery">
/// From the heal until both a request sent after it was answered by the faulted member's pods and those members route
/// to it as Active again; null if not within the recovery timeout.
/// </param>
/// <param name="Failures">The failed requests by kind (timeout, connection error, HTTP status).</param>
public sealed record FaultResult(
    FaultKind Fault,
    string Service,
    string LbType,
    string Target,
    bool OnPath,
    bool SteadyBefore,
    int Sent,
    int Failed,
    int Slow,
    double? Reroute,
    int RoutingMembers,
    double? RoutingEverywhere,
    double P99Ms,
    double? Recovery,
    IReadOnlyDictionary<string, int> Failures);
