namespace ErieCanal.Orleans.Interfaces;

/// <summary>A Cluster object from the control plane, reduced to what the grains need.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterSpec(
    string Name,
    string Uid,
    string Region,
    string Zone,
    string Group,
    string? GatewayHost,
    int GatewayPort,
    string? Kubeconfig,
    SecretRef? KubeconfigSecretRef,
    long Generation,
    string ResourceVersion)
{
    public string ClusterKey => ClusterKeys.Format(Region, Zone, Group, Name);

    /// <summary>Never prints the inline kubeconfig: a spec that ends up in a log line must not carry credentials.</summary>
    public override string ToString() =>
        $"ClusterSpec {{ ClusterKey = {ClusterKey}, GatewayHost = {GatewayHost}, GatewayPort = {GatewayPort}, Kubeconfig = {(string.IsNullOrEmpty(Kubeconfig) ? "(none)" : "(inline, not shown)")}, KubeconfigSecretRef = {KubeconfigSecretRef}, Generation = {Generation}, ResourceVersion = {ResourceVersion} }}";
}

/// <summary>Where a member's kubeconfig is kept on the control plane.</summary>
[GenerateSerializer, Immutable]
public sealed record SecretRef(string Namespace, string Name, string Key);
