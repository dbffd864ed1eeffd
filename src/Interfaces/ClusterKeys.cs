namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// A member's identity, <c>region/zone/group/name</c> (e.g. <c>default/default/default/cluster-1</c>), as ErieCanal
/// and GlobalTrafficPolicy targets spell it.
/// </summary>
public static class ClusterKeys
{
    public const string DefaultPart = "default";

    public static string Format(string region, string zone, string group, string name) =>
        $"{Or(region)}/{Or(zone)}/{Or(group)}/{name}";

    public static string Region(string clusterKey) => clusterKey.Split('/')[0];

    public static string Name(string clusterKey) => clusterKey[(clusterKey.LastIndexOf('/') + 1)..];

    public static bool IsValid(string clusterKey) => clusterKey.Split('/') is { Length: 4 } parts && parts.All(p => p.Length > 0);

    /// <summary>True when <paramref name="reference"/> (a clusterKey or a bare cluster name) names <paramref name="clusterKey"/>.</summary>
    public static bool Matches(string reference, string clusterKey) =>
        reference == clusterKey || (!reference.Contains('/', StringComparison.Ordinal) && reference == Name(clusterKey));

    private static string Or(string? part) => string.IsNullOrEmpty(part) ? DefaultPart : part;
}
