namespace ErieCanal.Orleans.Interfaces;

/// <summary>Condition types written into the objects' status.</summary>
public static class ConditionTypes
{
    public const string Managed = "Managed";
    public const string Healthy = "Healthy";
    public const string Valid = "Valid";
    public const string Conflict = "Conflict";
    public const string ResolvedRefs = "ResolvedRefs";
    public const string CrdsCompatible = "CrdsCompatible";

    /// <summary>On a Cluster: False while its kubeconfig is inline in the spec (readable by anyone who can read Clusters).</summary>
    public const string CredentialsSecure = "CredentialsSecure";
}

/// <summary>Condition reasons, CamelCase as the API conventions ask.</summary>
public static class ConditionReasons
{
    public const string Connected = "Connected";
    public const string Connecting = "Connecting";
    public const string Unreachable = "Unreachable";
    public const string InvalidKubeconfig = "InvalidKubeconfig";
    public const string Forbidden = "Forbidden";
    public const string Unauthorized = "Unauthorized";
    public const string ManagedElsewhere = "ManagedElsewhere";
    public const string InvalidSpec = "InvalidSpec";
    public const string ProbesSucceeded = "ProbesSucceeded";
    public const string ApiServerUnreachable = "ApiServerUnreachable";
    public const string GatewayUnreachable = "GatewayUnreachable";

    /// <summary>An exported service's path on its member's gateway answers 5xx or not in time (per-service health).</summary>
    public const string ServiceErrors = "ServiceErrors";
    public const string Exported = "Exported";
    public const string NoService = "NoService";
    public const string InvalidServiceType = "InvalidServiceType";
    public const string NoMatchingPorts = "NoMatchingPorts";
    public const string ClusterNotReady = "ClusterNotReady";
    public const string NoConflicts = "NoConflicts";
    public const string PortConflict = "PortConflict";
    public const string TypeConflict = "TypeConflict";
    public const string SessionAffinityConflict = "SessionAffinityConflict";
    public const string Accepted = "Accepted";
    public const string InvalidPolicy = "InvalidPolicy";
    public const string UnknownClusterKey = "UnknownClusterKey";
    public const string AllResolved = "AllResolved";
    public const string PathConflict = "PathConflict";
    public const string Compatible = "Compatible";
    public const string CrdsUpgraded = "CrdsUpgraded";
    public const string IncompatibleCrd = "IncompatibleCrd";
    public const string MissingCrd = "MissingCrd";
    public const string CrdsUnreadable = "CrdsUnreadable";
    public const string InlineKubeconfig = "InlineKubeconfig";
    public const string KubeconfigSecretRef = "KubeconfigSecretRef";
}
