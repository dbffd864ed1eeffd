using System.Collections.Immutable;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// A member's client-side proxy as its derived Services point at it: the ready addresses of the proxy's Service and
/// the port they serve on (the Service's port named <c>http</c>, or its only port). Compared by value.
/// </summary>
public sealed record McsProxyEndpoints(string Service, ImmutableArray<string> Addresses, int Port)
{
    public bool Equals(McsProxyEndpoints? other) =>
        other is not null && Service == other.Service && Port == other.Port && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(Service, Port, Addresses.Length);

    /// <summary>A stable digest of what a derived Service's proxy slice holds, for its content-hash annotation.</summary>
    public string Describe() => $"{Port}:{string.Join(",", Addresses)}";
}
