using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ErieCanal.Orleans.Bench.Common;

/// <summary>
/// Blocks the calling thread until a <see cref="Stopwatch"/> timestamp without spinning. Thread.Sleep and timers
/// round to whole milliseconds, which at 500 requests/s would send requests up to a millisecond late; usleep(3)
/// wakes within tens of microseconds on Linux.
/// </summary>
public static partial class PreciseWait
{
    // usleep overshoots by the kernel's timer slack (50 µs by default): ask for a little less.
    private const double SlackMicroseconds = 60;

    public static void Until(long timestamp)
    {
        while (true)
        {
            var remaining = (timestamp - Stopwatch.GetTimestamp()) * 1_000_000.0 / Stopwatch.Frequency;
            if (remaining <= 0)
            {
                return;
            }

            if (remaining <= SlackMicroseconds)
            {
                // The last few tens of microseconds: yield rather than oversleep.
                Thread.Yield();
            }
            else if (OperatingSystem.IsLinux())
            {
                _ = Usleep((uint)(remaining - SlackMicroseconds));
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Usleep(uint microseconds);
}
