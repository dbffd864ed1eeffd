using System.Globalization;

namespace ErieCanal.Orleans.Bench.Common;

/// <summary>The machine's 1/5/15-minute load averages (Linux), so a reader can tell a quiet run from a crowded one.</summary>
public static class LoadAverage
{
    public static string Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" ", fields.Take(3).Select(f => double.Parse(f, CultureInfo.InvariantCulture).ToString("F2", CultureInfo.InvariantCulture)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return "n/a";
        }
    }
}
