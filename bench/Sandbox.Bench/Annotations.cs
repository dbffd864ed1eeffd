using System.Globalization;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>What every benchmark write carries so that a watcher can tell which write it is and when it was sent.</summary>
public static class Annotations
{
    public const string Sequence = "bench.eriecanal.io/seq";

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> just before the request; one process, one clock.</summary>
    public const string SentTicks = "bench.eriecanal.io/sent";

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static bool TryRead(IDictionary<string, string>? annotations, string key, out long value)
    {
        value = 0;
        return annotations is not null && annotations.TryGetValue(key, out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
