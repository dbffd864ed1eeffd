namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// What a container needs from the rest of the cluster: credentials for the API, where the API and DNS answer
/// (<see cref="ClusterPodServices"/>; tests may stand in their own).
/// </summary>
public interface IPodClusterServices
{
    /// <summary>The bearer token mounted at <c>/var/run/secrets/kubernetes.io/serviceaccount/token</c>.</summary>
    string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime);

    /// <summary>The API server's CA (PEM) for <c>ca.crt</c>; null writes an empty file.</summary>
    string? CaCertificatePem { get; }

    /// <summary>KUBERNETES_SERVICE_HOST.</summary>
    string ApiHost { get; }

    /// <summary>KUBERNETES_SERVICE_PORT (in-cluster clients speak https to it).</summary>
    int ApiPort { get; }

    /// <summary>The nameserver of the pods' /etc/resolv.conf; null writes 127.0.0.1 (the host's nameservers are off limits).</summary>
    string? DnsNameserver { get; }
}
