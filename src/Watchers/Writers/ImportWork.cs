using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// One decision of a member's writer grain, for its engine to carry out. Work on the same object is merged: the
/// newest spec, the newest routing, or a delete.
/// </summary>
public abstract record ImportWork(string Namespace, string Name);

/// <summary>Server-side apply of a ServiceImport whose spec content (<paramref name="SpecHash"/>) changed.</summary>
public sealed record ApplyImport(string Namespace, string Name, ServiceImportResource Document, string SpecHash) : ImportWork(Namespace, Name);

/// <summary>A merge patch of the ServiceImport's status.routing, never its spec.</summary>
public sealed record PatchRouting(string Namespace, string Name, Routing Routing) : ImportWork(Namespace, Name);

/// <summary>The ServiceImport must not exist in the member.</summary>
public sealed record DeleteImport(string Namespace, string Name) : ImportWork(Namespace, Name);

/// <summary>The GlobalTrafficPolicy's Valid and ResolvedRefs conditions, decided by the grain.</summary>
public sealed record PatchPolicyConditions(string Namespace, string Name, long Generation, PolicyCondition Valid, PolicyCondition ResolvedRefs) : ImportWork(Namespace, Name);

/// <summary>One condition's decided status, reason and message.</summary>
public sealed record PolicyCondition(bool Status, string Reason, string Message);
