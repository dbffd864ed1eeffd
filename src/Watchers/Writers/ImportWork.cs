using System.Collections.Immutable;
using System.Diagnostics;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// One decision of a member's writer grain, for its engine to carry out. Work on the same object is merged: the
/// newest spec, the newest routing, or a delete. <see cref="Origin"/> says which change it comes from, for traces
/// and the propagation latency.
/// </summary>
public abstract record ImportWork(string Namespace, string Name)
{
    public WorkOrigin? Origin { get; init; }
}

/// <summary>
/// Where a decision comes from: the trace span that decided it (the write's spans are its children) and, for an
/// export change, when the change was observed (default: not an export change, e.g. a health flip or a repair).
/// </summary>
public sealed record WorkOrigin(ActivityContext Parent, DateTimeOffset ObservedAt = default);

/// <summary>Server-side apply of a ServiceImport whose spec content (<paramref name="SpecHash"/>) changed.</summary>
public sealed record ApplyImport(string Namespace, string Name, ServiceImportResource Document, string SpecHash) : ImportWork(Namespace, Name);

/// <summary>
/// A merge patch of the ServiceImport's status.routing, never its spec. <see cref="Causes"/> names, per member
/// whose endpoints lost or regained traffic in this routing, the health decision behind it (for the failover
/// Event and metrics the engine records once the patch landed).
/// </summary>
public sealed record PatchRouting(string Namespace, string Name, Routing Routing) : ImportWork(Namespace, Name)
{
    public ImmutableDictionary<string, RoutingCause> Causes { get; init; } = ImmutableDictionary<string, RoutingCause>.Empty;

    /// <summary>
    /// <see cref="Routing"/> is what the data plane derives from the spec when status.routing is absent (no policy,
    /// no marked endpoint): the member's status.routing must be absent, removed if it is there.
    /// </summary>
    public bool Omitted { get; init; }

    /// <summary>What the member's status.routing must hold: null when absent.</summary>
    public Routing? Stored => Omitted ? null : Routing;
}

/// <summary>Why a member's endpoints changed state in a routing: the condition reason and when it was first seen.</summary>
public sealed record RoutingCause(string Reason, DateTimeOffset Since);

/// <summary>The ServiceImport must not exist in the member.</summary>
public sealed record DeleteImport(string Namespace, string Name) : ImportWork(Namespace, Name);

/// <summary>The GlobalTrafficPolicy's Valid and ResolvedRefs conditions, decided by the grain.</summary>
public sealed record PatchPolicyConditions(string Namespace, string Name, long Generation, PolicyCondition Valid, PolicyCondition ResolvedRefs) : ImportWork(Namespace, Name);

/// <summary>One condition's decided status, reason and message.</summary>
public sealed record PolicyCondition(bool Status, string Reason, string Message);
