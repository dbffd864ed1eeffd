using System.Net;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// What a cluster name resolves to: whether it exists (else NXDOMAIN), its addresses (A records; none for a
/// headless Service without ready endpoints), or the name it aliases (an ExternalName Service's CNAME).
/// </summary>
public sealed record NameAnswer(bool Exists, IReadOnlyList<IPAddress> Addresses, string? Alias)
{
    public static NameAnswer NotFound { get; } = new(false, [], null);
}
