using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// Everything a member's watchers know about one exported service, sent whole every time (level-triggered):
/// the ServiceExport (null once deleted), its Service (null when missing), endpoint readiness, the cluster's gateway,
/// the export's own Ingress as it is in the member (null when absent), and the first path another Ingress already
/// claims. The member's health is not part of it: that travels on the health channel and never re-observes exports.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ExportObservation(
    ExportSpec? Export,
    ServiceSnapshot? Service,
    int ReadyEndpoints,
    GatewayAddress? Gateway,
    ExportIngress? Ingress = null,
    PathClaim? PathConflict = null);

/// <summary>
/// The export as observed. <see cref="ResourceVersion"/> and <see cref="HasStatus"/> let its owner write the first
/// status without reading the object again (a status-only change is not re-observed, so they may be stale: the
/// write is guarded by the resourceVersion and reads on a conflict).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ExportSpec(
    string Uid,
    DateTimeOffset CreatedAt,
    long Generation,
    string? ServiceAccountName,
    ImmutableArray<ExportRule> Rules,
    ImmutableArray<string> TargetClusters,
    string LoadBalancer,
    bool SessionSticky,
    string? RewriteFrom = null,
    string? RewriteTo = null,
    string ResourceVersion = "",
    bool HasStatus = true)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ExportSpec? other) => ReferenceEquals(this, other) || (other is not null
        && Uid == other.Uid && CreatedAt == other.CreatedAt && Generation == other.Generation && ServiceAccountName == other.ServiceAccountName && LoadBalancer == other.LoadBalancer && SessionSticky == other.SessionSticky && RewriteFrom == other.RewriteFrom && RewriteTo == other.RewriteTo && ResourceVersion == other.ResourceVersion && HasStatus == other.HasStatus && Sequence.Equal(Rules, other.Rules) && Sequence.Equal(TargetClusters, other.TargetClusters));

    public override int GetHashCode() => HashCode.Combine(HashCode.Combine(Uid, CreatedAt, Generation, ServiceAccountName, LoadBalancer, SessionSticky, RewriteFrom), RewriteTo, ResourceVersion, HasStatus, Sequence.Hash(Rules), Sequence.Hash(TargetClusters));
}

[GenerateSerializer, Immutable]
public sealed record ExportRule(int PortNumber, string? Path, string? PathType);

[GenerateSerializer, Immutable]
public sealed record ServiceSnapshot(
    string Type,
    bool Headless,
    string SessionAffinity,
    int? SessionAffinityTimeoutSeconds,
    ImmutableArray<ServicePortInfo> Ports,
    string? WrittenForImport = null)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ServiceSnapshot? other) => ReferenceEquals(this, other) || (other is not null
        && Type == other.Type && Headless == other.Headless && SessionAffinity == other.SessionAffinity && SessionAffinityTimeoutSeconds == other.SessionAffinityTimeoutSeconds && WrittenForImport == other.WrittenForImport && Sequence.Equal(Ports, other.Ports));

    public override int GetHashCode() => HashCode.Combine(Type, Headless, SessionAffinity, SessionAffinityTimeoutSeconds, WrittenForImport, Sequence.Hash(Ports));
}

[GenerateSerializer, Immutable]
public sealed record ServicePortInfo(string? Name, string Protocol, int Port, string? AppProtocol);
