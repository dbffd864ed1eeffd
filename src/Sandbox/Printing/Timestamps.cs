using System.Globalization;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>RFC3339 parsing as metav1.Time/MicroTime accept it (optional fractional seconds).</summary>
internal static class Timestamps
{
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static bool TryParse(string? value, out DateTimeOffset result)
    {
        result = default;
        return !string.IsNullOrEmpty(value)
            && DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out result);
    }

    /// <summary>Go's Time.UTC().Format(time.RFC3339); unset timestamps print as the zero time like a real server.</summary>
    public static string ToRfc3339(string? value) =>
        (TryParse(value, out var t) ? t.UtcDateTime : DateTime.MinValue).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
