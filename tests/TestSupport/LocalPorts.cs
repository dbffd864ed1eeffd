using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// Loopback ports for the servers tests and benchmarks start that cannot pick their own: Orleans' silo and gateway
/// ports (a silo advertises the port it is configured with, so 0 would advertise 0), Redis, Azurite, the
/// dashboard's own listener (its pages are routed by port). A server that can bind port 0 and report what it got
/// (the silo's API) does that instead.
/// A port is taken from outside the kernel's ephemeral range (and Orleans TestCluster's ranges), so no bind-to-0 and
/// no outgoing connection can be handed it meanwhile; it is never handed out twice in this process; and a lock file
/// per port keeps it from the other test processes <c>dotnet test</c> runs in parallel, for as long as this process
/// lives.
/// </summary>
public static class LocalPorts
{
    private static readonly Lock Gate = new();
    private static readonly List<FileStream> Held = [];
    private static readonly HashSet<int> HandedOut = [];
    private static readonly (int First, int Last) Range = OutsideEphemeralRange();
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "erie-canal-orleans-ports");

    // Each process starts its scan at its own place in the range, so parallel processes seldom contend.
    private static int _next = Range.First + Random.Shared.Next(Range.Last - Range.First + 1);

    /// <summary>A port reserved for this process until it exits: nothing else in this test run is given it.</summary>
    public static int Reserve()
    {
        lock (Gate)
        {
            Directory.CreateDirectory(LockDirectory);
            var size = Range.Last - Range.First + 1;
            for (var tried = 0; tried < size; tried++)
            {
                var port = _next;
                _next = port == Range.Last ? Range.First : port + 1;
                if (HandedOut.Contains(port) || TryLock(port) is not { } lockFile)
                {
                    continue;
                }

                if (!Bindable(port))
                {
                    // Something outside the test run listens there: skip it, and keep the lock so no one else tries.
                    Held.Add(lockFile);
                    HandedOut.Add(port);
                    continue;
                }

                Held.Add(lockFile);
                HandedOut.Add(port);
                return port;
            }

            throw new InvalidOperationException($"no free port left in {Range.First}-{Range.Last}");
        }
    }

    /// <summary>The range the kernel does not hand out on its own (around /proc/sys/net/ipv4/ip_local_port_range).</summary>
    private static (int First, int Last) OutsideEphemeralRange()
    {
        // Orleans' TestCluster, in the same test processes, takes its silo and gateway ports from 12000-30000 on its own.
        const int lowest = 30000;
        // Elsewhere than Linux: Linux's default start, and the top of the IANA dynamic range Windows and macOS use.
        var ephemeralFirst = 32768;
        var ephemeralLast = 65535;
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralFirst = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            ephemeralLast = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: the defaults above.
        }

        // The larger gap around the ephemeral range, from 30000 up.
        var below = (First: lowest, Last: ephemeralFirst - 1);
        var above = (First: Math.Max(ephemeralLast + 1, lowest), Last: 65535);
        return below.Last - below.First >= above.Last - above.First ? below : above;
    }

    private static FileStream? TryLock(int port)
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix: another process's open fails while held.
            return new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
