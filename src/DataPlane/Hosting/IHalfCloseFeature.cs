namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// On a connection of the half-closing transport (<see cref="HalfCloseConnection"/>): ends the sending side only
/// (TCP FIN) while the peer may go on sending. Kestrel's own socket transport closes both ways once its output
/// completes, and aborts the response once the peer's FIN arrives, so a tunnel could not pass a half-close on.
/// </summary>
public interface IHalfCloseFeature
{
    /// <summary>Sends FIN after what was flushed; call only once the connection's output is flushed.</summary>
    void ShutdownSend();
}
