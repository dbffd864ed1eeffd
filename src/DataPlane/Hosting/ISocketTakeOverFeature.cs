using System.Net.Sockets;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// On a connection of the half-closing transport (<see cref="HalfCloseConnection"/>), once an upgrade's 101 has been
/// flushed: the socket itself and the bytes the transport had already read past the request, so that a tunnel moves
/// its bytes without Kestrel's pipes in between (and the kernel can move them, see Tunnel/KernelSplice). Kestrel's
/// pipes are not read or written on that connection afterwards.
/// </summary>
internal interface ISocketTakeOverFeature
{
    /// <summary>The socket, or null while the transport is in the middle of a read (then go on with the upgraded stream).</summary>
    TakenSocket? TakeOver();
}

/// <summary>A connection's socket taken from Kestrel: the bytes already read off it, and its gate when one holds its bytes back.</summary>
internal sealed record TakenSocket(Socket Socket, ReadOnlyMemory<byte> Buffered, Func<CancellationToken, ValueTask>? Gate);
