using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Informers;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Settings of one member's client-side proxy (configuration section "DataPlane" in a container).</summary>
public sealed class ProxyOptions
{
    /// <summary>Where to listen: an http:// URL; port 0 picks a free port (see <c>DataPlaneServer.Address</c>).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:0";

    /// <summary>This member's cluster key (e.g. default/default/default/cluster-2): routing entries of this key are served by local pods.</summary>
    public string ClusterKey { get; set; } = "";

    /// <summary>The member's name, for logs only.</summary>
    public string MemberName { get; set; } = "";

    /// <summary>The cluster DNS domain accepted in svc.ns.svc.&lt;domain&gt; host names.</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>How long a TCP connect to an endpoint may take before it counts as unreachable.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an attempt that can still be retried elsewhere (an idempotent request's first attempt) may wait for
    /// its response headers before it is abandoned and retried: what a blackholed endpoint costs a request. The last
    /// attempt and requests that are never retried wait up to <see cref="ActivityTimeout"/> instead, so a slow but
    /// healthy service is retried once, not failed. <see cref="Timeout.InfiniteTimeSpan"/> turns it off. 500 ms keeps a
    /// blackholed member's cost under a second (timeout, then ejection) and stays above ordinary latency jitter; set it
    /// above the slowest healthy answer of your services to avoid duplicate attempts.
    /// </summary>
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a forwarded request may stay silent (no headers, then no body bytes) before it is cancelled (504).</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Where a failed idempotent request is retried (once): <see cref="RetryPolicy.AnyEndpoint"/>, or ErieCanal's <see cref="RetryPolicy.StandbyOnly"/>.</summary>
    public RetryPolicy Retry { get; set; } = RetryPolicy.AnyEndpoint;

    /// <summary>Passive outlier detection: endpoints that keep failing are taken out of rotation for a while.</summary>
    public EjectionOptions Ejection { get; set; } = new();

    /// <summary>The first port of the range per-port listeners may open (inclusive); others are refused with a log.</summary>
    public int ListenerFirstPort { get; set; } = ProxyListeners.DefaultFirstPort;

    /// <summary>The last port of the range per-port listeners may open (inclusive).</summary>
    public int ListenerLastPort { get; set; } = ProxyListeners.DefaultLastPort;

    /// <summary>
    /// How long a listener whose Service port declares no protocol waits for the client's first bytes: an HTTP/1.x
    /// request line makes the connection HTTP; other bytes, or none within this (the server speaks first), TCP.
    /// </summary>
    public TimeSpan SniffTimeout { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Per-request bound on the Kubernetes API calls of the informers.</summary>
    public TimeSpan KubernetesRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public InformerOptions Informer { get; set; } = new();
}
