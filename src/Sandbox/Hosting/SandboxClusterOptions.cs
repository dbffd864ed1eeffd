namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>Behaviour knobs of one simulated cluster.</summary>
public sealed record SandboxClusterOptions
{
    /// <summary>How long a new pod stays Pending before it turns Ready.</summary>
    public TimeSpan PodReadyDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often a watch that asked for bookmarks gets one (a real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a watch without timeoutSeconds stays open.</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Whether the API port also speaks HTTP/2 (prior knowledge, beside HTTP/1.1). Off: HTTP/1.1 only, as a server
    /// behind a proxy that does not pass HTTP/2 on.
    /// </summary>
    public bool Http2 { get; init; } = true;

    /// <summary>
    /// Whether the cluster's network really serves, for real containers (which share the host's network namespace):
    /// a DNS server for <c>cluster.local</c> on port 53 of its own loopback address, and every Service's cluster IP
    /// ports listening and relaying to ready endpoints as kube-proxy's userspace mode did. Needs root (port 53). Off:
    /// names and cluster IPs exist only for the simulated exec, as before.
    /// </summary>
    public bool ServeClusterNetwork { get; init; }

    /// <summary>How many events the watch history keeps before older resourceVersions answer 410 Gone.</summary>
    public int HistoryLimit { get; init; } = 100_000;

    /// <summary>
    /// Images given as OCI archives: pods whose containers name one run as real runc containers (root and runc
    /// needed); pods of any other image stay simulated.
    /// </summary>
    public IReadOnlyList<Containers.GivenImage> Images { get; init; } = [];

    /// <summary>Where given images are unpacked, once, and reused by later sandboxes.</summary>
    public string ImageCacheDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "erie-canal-sandbox", "images");

    /// <summary>
    /// Where each cluster keeps its containers' state (runc root, pod volumes, logs) and persistent volume data, in a
    /// subdirectory per cluster. Null: a fresh temporary directory, removed when the cluster is disposed.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>The first delay before a crashed container restarts (kubelet: 10 s, doubling to 5 min).</summary>
    public TimeSpan ContainerRestartBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What containers get from the rest of the cluster (service-account tokens, CA, API address, DNS); null: the
    /// cluster's own (<see cref="Containers.ClusterPodServices"/>: bound tokens, the HTTPS port, the cluster DNS).
    /// </summary>
    public Func<SandboxCluster, Containers.IPodClusterServices>? PodClusterServices { get; init; }
}
