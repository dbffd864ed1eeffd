using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ErieCanal.Orleans.DataPlane.Tunnel;

/// <summary>
/// One direction of a tunnel moved by the kernel: splice(2) from one socket into a pipe and from the pipe into the
/// other socket, so the bytes are never copied into this process (each user-space hop otherwise costs a copy in and a
/// copy out). .NET has no API for splice(2); the calls are three, and anything they cannot do falls back to the
/// managed copy: a platform or socket splice(2) refuses before any byte moved (null), and a receiver with no room
/// (the pipe's bytes are read out and sent the managed way, which waits for room).
/// </summary>
internal static partial class KernelSplice
{
    private const uint Move = 1;
    private const uint NonBlock = 2;
    private const uint More = 4;
    private const int PipeNonBlock = 0x800;
    private const int PipeCloseOnExec = 0x80000;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EInval = 22;
    private const int ENoSys = 38;
    private const int EPerm = 1;

    // A pipe starts at the kernel's default (64 KiB); one that a single splice filled grows to this, so that a bulk
    // transfer moves as much per call as the socket holds (a call per 64 KiB costs a third of the throughput). Pipe
    // pages count against the user's limit (/proc/sys/fs/pipe-user-pages-soft): only the busy tunnels grow.
    private const int LargePipe = 1024 * 1024;
    private const int SetPipeSize = 1031;
    private const int GetPipeSize = 1032;

    private static volatile bool s_refused = !OperatingSystem.IsLinux();

    /// <summary>
    /// Moves what <paramref name="from"/> receives to <paramref name="to"/> until end of input (then half-closes
    /// <paramref name="to"/>: true) or a failure (throws <see cref="SocketException"/> or cancellation). Null when
    /// splice(2) is not available, before anything moved: the caller copies instead.
    /// </summary>
    public static async Task<bool?> PumpAsync(Socket from, Socket to, Func<CancellationToken, ValueTask>? gate, Action<int> counted, CancellationToken cancellationToken)
    {
        if (s_refused || !TryCreatePipe(out var pipeRead, out var pipeWrite))
        {
            return null;
        }

        var fromHandle = from.SafeHandle;
        var toHandle = to.SafeHandle;
        bool fromAdded = false, toAdded = false;
        try
        {
            // Held for the whole pump so the numbers stay ours even if a socket is disposed under us.
            fromHandle.DangerousAddRef(ref fromAdded);
            toHandle.DangerousAddRef(ref toAdded);
            from.Blocking = false;
            to.Blocking = false;
            var fromFd = (int)fromHandle.DangerousGetHandle();
            var toFd = (int)toHandle.DangerousGetHandle();
            var moved = false;
            var capacity = Fcntl(pipeWrite, GetPipeSize, 0);
            while (true)
            {
                if (gate is not null)
                {
                    await gate(cancellationToken);
                }

                var read = (int)Splice(fromFd, 0, pipeWrite, 0, LargePipe, Move | NonBlock);
                if (read > 0)
                {
                    moved = true;
                    await DrainAsync(pipeRead, read, toFd, to, gate, cancellationToken);
                    counted(read);
                    if (read >= capacity && capacity is > 0 and < LargePipe)
                    {
                        // Best effort: refused past the user's limit, and the pipe keeps its size.
                        capacity = Math.Max(capacity, Fcntl(pipeWrite, SetPipeSize, LargePipe));
                    }

                    continue;
                }

                if (read == 0)
                {
                    ShutdownSend(to);
                    return true;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case EIntr:
                        continue;
                    case EAgain:
                        // Nothing more to read for now: what was held back for a full segment leaves (see DrainAsync);
                        // then a zero-byte receive completes once something (or the end) arrives.
                        to.NoDelay = true;
                        await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                        continue;
                    case EInval or ENoSys or EPerm when !moved:
                        s_refused = errno is ENoSys or EPerm;
                        return null;
                    default:
                        throw new SocketException(errno);
                }
            }
        }
        finally
        {
            Close(pipeRead);
            Close(pipeWrite);
            if (fromAdded)
            {
                fromHandle.DangerousRelease();
            }

            if (toAdded)
            {
                toHandle.DangerousRelease();
            }
        }
    }

    // Empties the pipe into the socket; a socket with no room gets the rest the managed way, which waits for room.
    private static async ValueTask DrainAsync(int pipeRead, int count, int toFd, Socket to, Func<CancellationToken, ValueTask>? gate, CancellationToken cancellationToken)
    {
        if (gate is not null)
        {
            await gate(cancellationToken);
        }

        while (count > 0)
        {
            // "More": a tail short of a full segment waits for the next bytes instead of leaving as a packet of its
            // own (a 64 KiB write is one full loopback segment and a runt). Setting TCP_NODELAY again, once the
            // source has nothing more, sends it (PumpAsync).
            var written = (int)Splice(pipeRead, 0, toFd, 0, (nuint)count, Move | NonBlock | More);
            if (written > 0)
            {
                count -= written;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (written < 0 && errno == EIntr)
            {
                continue;
            }

            if (written == 0 || errno != EAgain)
            {
                throw new SocketException(written == 0 ? (int)SocketError.ConnectionReset : errno);
            }

            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
            try
            {
                var held = ReadPipe(pipeRead, buffer, count);
                for (var sent = 0; sent < held;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, held - sent), SocketFlags.None, cancellationToken);
                }

                count -= held;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static int ReadPipe(int pipeRead, byte[] buffer, int count)
    {
        var done = 0;
        while (done < count)
        {
            var read = (int)Read(pipeRead, ref buffer[done], (nuint)(count - done));
            if (read > 0)
            {
                done += read;
            }
            else if (read < 0 && Marshal.GetLastPInvokeError() == EIntr)
            {
                continue;
            }
            else
            {
                // The bytes were in the pipe a moment ago; nothing else reads it.
                throw new SocketException(read == 0 ? (int)SocketError.NoData : Marshal.GetLastPInvokeError());
            }
        }

        return done;
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to end.
        }
    }

    private static bool TryCreatePipe(out int read, out int write)
    {
        var fds = new int[2];
        try
        {
            if (Pipe2(ref fds[0], PipeNonBlock | PipeCloseOnExec) == 0)
            {
                (read, write) = (fds[0], fds[1]);
                return true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_refused = true;
        }

        (read, write) = (-1, -1);
        return false;
    }

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    private static partial nint Splice(int fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
