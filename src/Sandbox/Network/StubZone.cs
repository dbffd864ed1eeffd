using System.Net;
using ARSoft.Tools.Net;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>A zone the cluster DNS forwards to upstream servers, as a CoreDNS <c>zone:53 { forward . addr }</c> block does.</summary>
public sealed record StubZone(DomainName Zone, IReadOnlyList<IPEndPoint> Upstreams);
