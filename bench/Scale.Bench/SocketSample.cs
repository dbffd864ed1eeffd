using System.Globalization;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>
/// The process's sockets at the end of a phase, per member: every socket descriptor (/proc/self/fd; the sandbox shares
/// the process, so a loopback connection costs two), the established connections to the members' API ports
/// (/proc/net/tcp), and the sandbox's own count of its API ports' open connections, of which HTTP/2 (only the silo
/// speaks it: the bench's clients use HTTP/1.1).
/// </summary>
public sealed record SocketSample(string Phase, int Members, int ProcessSockets, int EstablishedToMembers, int ApiConnections, int MaxApiConnections, int Http2Connections)
{
    public double SocketsPerMember => ProcessSockets / (double)Members;

    public static SocketSample Take(string phase, IReadOnlyList<SandboxCluster> members)
    {
        var ports = members.Select(m => m.Port).ToHashSet();
        return new SocketSample(phase, members.Count, CountProcessSockets(), Established(ports), members.Sum(m => m.Connections.Open),
            members.Max(m => m.Connections.Open), members.Sum(m => m.Connections.OpenHttp2));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Phase}: {ProcessSockets} process sockets ({SocketsPerMember:F1} per member), {EstablishedToMembers} established to member API ports, API ports hold {ApiConnections} connections ({ApiConnections / (double)Members:F1} per member, max {MaxApiConnections}), {Http2Connections} of them HTTP/2");

    private static int CountProcessSockets()
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while listed.
            }
        }

        return count;
    }

    /// <summary>Client ends of established TCP connections whose remote port is a member's API port.</summary>
    private static int Established(HashSet<int> ports)
    {
        var count = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01"
                    && int.TryParse(fields[2][(fields[2].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                    && ports.Contains(port))
                {
                    count++;
                }
            }
        }

        return count;
    }
}
