using System.Globalization;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>
/// The OpenAPI string formats as kube-openapi's strfmt checks them: <c>date</c> is a full date (2006-01-02),
/// <c>date-time</c> a date, a 't' (either case) and an RFC 3339 time with a zone.
/// </summary>
public static partial class SchemaFormats
{
    public static bool IsDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    public static bool IsDateTime(string text)
    {
        if (text.Length < 4)
        {
            return false;
        }

        var parts = text.ToLowerInvariant().Split('t');
        if (parts.Length < 2 || !IsDate(parts[0]))
        {
            return false;
        }

        var time = Time().Match(parts[1]);
        return time.Success
            && string.CompareOrdinal(time.Groups[1].Value, "23") <= 0
            && string.CompareOrdinal(time.Groups[2].Value, "59") <= 0
            && string.CompareOrdinal(time.Groups[3].Value, "59") <= 0;
    }

    [GeneratedRegex("^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")]
    private static partial Regex Time();
}
