using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// What a container gets from its cluster, as a kubelet hands it out: a bound ServiceAccount token the cluster
/// signs, the cluster CA, the HTTPS API port (where the token is authenticated and RBAC applies, as in-cluster
/// clients expect), and the cluster DNS server when the cluster network is served.
/// </summary>
public sealed class ClusterPodServices(SandboxCluster cluster) : IPodClusterServices
{
    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) =>
        cluster.IssueServiceAccountToken(ns, serviceAccount, podName, podUid, lifetime);

    public string? CaCertificatePem => cluster.CaCertificatePem;

    public string ApiHost => "127.0.0.1";

    public int ApiPort => cluster.SecurePort;

    public string? DnsNameserver => cluster.Dns?.Address.ToString();
}
