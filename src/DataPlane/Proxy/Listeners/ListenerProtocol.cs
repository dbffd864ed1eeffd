namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>What a listener's connections speak, as the Service port declares it; <see cref="Sniff"/> when it does not say.</summary>
public enum ListenerProtocol
{
    /// <summary>Undeclared: an HTTP/1.x request line in the first bytes makes it HTTP, anything else (or silence) TCP.</summary>
    Sniff,
    Http,
    Tcp,
}
