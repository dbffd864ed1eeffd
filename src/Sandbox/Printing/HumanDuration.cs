namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Port of k8s.io/apimachinery/pkg/util/duration.HumanDuration, so ages match kubectl against a real server.</summary>
internal static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        // Go truncates toward zero; up to 2s of clock skew still reads as "now".
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
            return "<invalid>";
        if (seconds < 0)
            return "0s";
        if (seconds < 60 * 2)
            return $"{seconds}s";

        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3)
            return $"{minutes}m";

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48)
            return $"{hours}h";
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2)
            return $"{hours / 24}d";
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>translateTimestampSince: the age of an RFC3339 timestamp, "&lt;unknown&gt;" when unset.</summary>
    public static string Since(string? timestamp, DateTimeOffset now) =>
        Timestamps.TryParse(timestamp, out var t) ? Format(now - t) : "<unknown>";
}
