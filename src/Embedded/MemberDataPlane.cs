using ErieCanal.Orleans.DataPlane.Dns;
using ErieCanal.Orleans.DataPlane.Hosting;

namespace ErieCanal.Orleans.Embedded;

/// <summary>
/// A member's data plane on the embedded default: its gateway, its client-side proxy and its <c>clusterset.local</c>
/// DNS server (the last two null only while it starts).
/// </summary>
public sealed record MemberDataPlane(DataPlaneServer Gateway, DataPlaneServer? Proxy, MemberDnsServer? Dns = null);
