using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// Value equality for the messages the import grains compare. Records holding ImmutableArray compare the arrays by
/// reference; these compare them element by element, without serializing either side.
/// </summary>
public static class ValueEquality
{
    public static bool Same(Routing? a, Routing? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && a.LbType == b.LbType && a.Policy == b.Policy && a.ActiveEndpoints == b.ActiveEndpoints
            && Seq(a.Problems, b.Problems, StringComparer.Ordinal)
            && Seq(a.Ports, b.Ports, RoutePortComparer.Instance));

    public static bool Same(ExportContribution? a, ExportContribution? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && a.ClusterKey == b.ClusterKey && a.CreatedAt == b.CreatedAt && a.Type == b.Type && a.SessionAffinity == b.SessionAffinity
            && a.SessionAffinityTimeoutSeconds == b.SessionAffinityTimeoutSeconds && a.ServiceAccountName == b.ServiceAccountName
            && a.Gateway == b.Gateway && a.Healthy == b.Healthy
            && Seq(a.Ports, b.Ports) && Seq(a.TargetClusters, b.TargetClusters, StringComparer.Ordinal));

    public static bool Same(ExportIngress? a, ExportIngress? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && a.IngressClass == b.IngressClass && a.RewriteFrom == b.RewriteFrom && a.RewriteTo == b.RewriteTo && a.OwnerUid == b.OwnerUid
            && Seq(a.Paths, b.Paths));

    public static bool Same(TrafficPolicySpec? a, TrafficPolicySpec? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && a.LbType == b.LbType && a.Generation == b.Generation && Seq(a.Targets, b.Targets));

    /// <summary>Element-wise; a default array equals an empty one.</summary>
    private static bool Seq<T>(ImmutableArray<T> a, ImmutableArray<T> b, IEqualityComparer<T>? comparer = null) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.AsSpan().SequenceEqual(b.AsSpan(), comparer);

    private sealed class RoutePortComparer : IEqualityComparer<RoutePort>
    {
        public static RoutePortComparer Instance { get; } = new();

        public bool Equals(RoutePort? x, RoutePort? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null
                && x.Name == y.Name && x.Protocol == y.Protocol && x.Port == y.Port && Seq(x.Endpoints, y.Endpoints));

        public int GetHashCode(RoutePort obj) => HashCode.Combine(obj.Name, obj.Protocol, obj.Port);
    }
}
