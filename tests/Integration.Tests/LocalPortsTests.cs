using System.Globalization;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The ports tests hand to servers that cannot pick their own: never the same one twice, never one the kernel hands
/// out by itself (bind to port 0, outgoing connections), and held against the other test processes.
/// </summary>
public sealed class LocalPortsTests
{
    [Fact]
    public void Reserved_ports_are_distinct_and_outside_the_kernel_s_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 50).Select(_ => LocalPorts.Reserve()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        Assert.All(ports, p => Assert.True(p < range[0] || p > range[1], $"port {p} lies in the ephemeral range {range[0]}-{range[1]}"));
    }

    [Fact]
    public void A_reserved_port_is_locked_against_other_processes()
    {
        var port = LocalPorts.Reserve();

        // Another process opening the port's lock file exclusively fails while this one holds it (flock on Unix).
        var lockFile = Path.Combine(Path.GetTempPath(), "erie-canal-orleans-ports", $"{port}.lock");
        Assert.Throws<IOException>(() => new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None).Dispose());
    }
}
