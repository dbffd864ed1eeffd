namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// One MCS EndpointSlice a member must hold for an import: its name, labels (service name, source cluster,
/// managed-by; never <c>kubernetes.io/service-name</c>), content, and the hash of both (written as
/// <see cref="McsNames.ContentHashAnnotation"/>, so an unchanged slice is not written again). Owned by the import.
/// <see cref="SourceGateway"/> (<c>host:port</c>) is where the member's proxy tunnels to reach these endpoints
/// (<see cref="McsNames.SourceGatewayAnnotation"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsSliceIntent(string Name, string SourceCluster, McsMap Labels, McsEndpointSlice Content, string ContentHash, string? SourceGateway = null);
