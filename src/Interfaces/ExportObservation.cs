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
    bool HasStatus = true);

[GenerateSerializer, Immutable]
public sealed record ExportRule(int PortNumber, string? Path, string? PathType);

[GenerateSerializer, Immutable]
public sealed record ServiceSnapshot(
    string Type,
    bool Headless,
    string SessionAffinity,
    int? SessionAffinityTimeoutSeconds,
    ImmutableArray<ServicePortInfo> Ports);

[GenerateSerializer, Immutable]
public sealed record ServicePortInfo(string? Name, string Protocol, int Port, string? AppProtocol);
