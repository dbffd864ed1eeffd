using System.Globalization;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>
/// Kubernetes' version priority (apimachinery CompareKubeAwareVersionStrings): GA before beta before alpha, higher
/// numbers first, anything else after them by name. Discovery lists a group's versions in this order and prefers the
/// first, so a CRD serving v1 and v1beta1 prefers v1 (a plain string order would pick v1beta1).
/// </summary>
public static partial class KubeVersionOrder
{
    public static IOrderedEnumerable<string> Sort(IEnumerable<string> versions) =>
        versions.OrderBy(Rank).ThenByDescending(Major).ThenByDescending(Minor).ThenBy(v => v, StringComparer.Ordinal);

    private static int Rank(string version)
    {
        var match = Pattern().Match(version);
        if (!match.Success)
        {
            return 3;
        }

        return match.Groups["stage"].Value switch
        {
            "" => 0,
            "beta" => 1,
            _ => 2,
        };
    }

    private static int Major(string version) => Number(version, "major");

    private static int Minor(string version) => Number(version, "minor");

    private static int Number(string version, string group)
    {
        var match = Pattern().Match(version);
        return match.Success && int.TryParse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    [GeneratedRegex("^v(?<major>[1-9][0-9]*)(?:(?<stage>alpha|beta)(?<minor>[1-9][0-9]*))?$")]
    private static partial Regex Pattern();
}
