using System.Collections.Immutable;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// One decision of a member's ClusterGrain, for the silo-local <see cref="MemberEngine"/> to carry out under the
/// one retry contract. The grain never waits for it.
/// </summary>
public abstract record MemberWork(string ClusterKey);

/// <summary>
/// The Cluster object's conditions this system owns (Managed, Healthy, CrdsCompatible, CredentialsSecure) as decided
/// now; a newer decision replaces one not yet written.
/// </summary>
public sealed record WriteClusterStatus(string ClusterKey, string Name, long Generation, ImmutableArray<ConditionUpdate> Conditions) : MemberWork(ClusterKey);

/// <summary>An Event on the Cluster object (messages are masked of the member's credentials before they are written).</summary>
public sealed record RecordClusterEvent(string ClusterKey, string Name, string? Uid, bool Warning, string Reason, string Message) : MemberWork(ClusterKey);

/// <summary>
/// The member left and its grain forgot it: tell each of its exports, retire its writer, sweep its Ingresses,
/// release its claim and drop its client. The grain has unregistered it from the directory already.
/// </summary>
public sealed record TearDownMember(string ClusterKey, string Name, ImmutableArray<string> Exports) : MemberWork(ClusterKey);

/// <summary>The member (re)joined: a teardown of it not yet done must not release the claim its new session takes.</summary>
public sealed record MemberJoined(string ClusterKey) : MemberWork(ClusterKey);

/// <summary>
/// The member's grain left this silo: a status decision of it not yet written here is dropped, so it cannot land
/// after what the grain's next activation writes.
/// </summary>
public sealed record MemberDeactivated(string ClusterKey) : MemberWork(ClusterKey);

/// <summary>
/// Resolve the member's cluster id (KEP-2149): read its <c>cluster.clusterset.k8s.io</c> ClusterProperty, or create
/// it with <paramref name="Name"/> (the Cluster object's name) when absent; an unusable value is told as an Event on
/// the Cluster object (uid <paramref name="Uid"/>), never overwritten.
/// </summary>
public sealed record EnsureClusterIdentity(string ClusterKey, string Name, string? Uid) : MemberWork(ClusterKey);
