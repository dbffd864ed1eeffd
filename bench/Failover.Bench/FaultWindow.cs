namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// One fault as played (<see cref="System.Diagnostics.Stopwatch"/> timestamps): applied at <see cref="Start"/>,
/// healed at <see cref="Heal"/>, the next fault's steady period from <see cref="End"/>. Per service, the members whose
/// routing the fault should change: those that routed to the faulted member as Active just before (minus the
/// faulted member itself when its API server is offline: nothing can write there); none when the fault is not on
/// the service's path.
/// </summary>
public sealed record FaultWindow(FaultKind Kind, long Start, long Heal, long End, bool SteadyBefore, IReadOnlyDictionary<string, IReadOnlyList<string>> RoutingMembers);
