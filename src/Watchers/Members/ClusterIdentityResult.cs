namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// A member's KEP-2149 cluster id as its <c>cluster.clusterset.k8s.io</c> ClusterProperty gives it: <see cref="Id"/>
/// null while it has none usable (<see cref="Reason"/> says why); <see cref="Created"/> when this system created it.
/// </summary>
public sealed record ClusterIdentityResult(string? Id, bool Created, string Reason, string Message)
{
    /// <summary>The property is there (or was just created) with a usable value.</summary>
    public const string Identified = "ClusterIdentified";

    /// <summary>The property was absent and the registered cluster name cannot be a cluster id.</summary>
    public const string InvalidClusterName = "InvalidClusterName";

    /// <summary>The property holds a value the system cannot use as a cluster id (it is never overwritten).</summary>
    public const string InvalidClusterId = "InvalidClusterId";

    /// <summary>The member has no about.k8s.io ClusterProperty CRD and installing CRDs is disabled.</summary>
    public const string MissingCrd = "MissingCrd";

    public bool Usable => Id is not null;
}
