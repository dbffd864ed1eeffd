using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The seam's answer before service accounts, TLS and DNS exist: every pod gets the cluster's admin token and the
/// plain HTTP API port on 127.0.0.1 (reachable, since containers share the host network namespace).
/// </summary>
public sealed class DefaultPodClusterServices(SandboxCluster cluster) : IPodClusterServices
{
    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) => cluster.Token;

    public string? CaCertificatePem => null;

    public string ApiHost => "127.0.0.1";

    public int ApiPort => cluster.Port;

    public string? DnsNameserver => null;
}
