namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// How a silo connects to each member's API server (section <c>ErieCanal:MemberConnections</c>). Every client of a
/// member on a silo (its session's watches, its writer, its export grains, the health probe) shares one connection
/// pool, so the connections per member stay the same whatever the load.
/// </summary>
public sealed class MemberConnectionOptions
{
    /// <summary>
    /// Speak HTTP/2 to members that offer it (ALPN h2 over TLS, as kube-apiserver does; prior knowledge on a cleartext
    /// server that answers it): every watch and request to the member shares one connection. Off: HTTP/1.1 always.
    /// </summary>
    public bool Http2 { get; set; } = true;

    /// <summary>
    /// On HTTP/1.1 (a member that does not offer HTTP/2): the connections shared by a member's requests other than
    /// watches. Each watch holds its own connection for as long as it runs (one per informer: six per member), in a
    /// lane of its own, so queued requests never wait behind a watch and a watch never waits for a request.
    /// </summary>
    public int Http1RequestConnections { get; set; } = 4;
}
