using ErieCanal.Orleans.DataPlane.Hosting;

namespace ErieCanal.Orleans.Embedded;

/// <summary>A member's data plane on the embedded default: its gateway and its client-side proxy (null only while it starts).</summary>
public sealed record MemberDataPlane(DataPlaneServer Gateway, DataPlaneServer? Proxy);
