namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>The Kubernetes Multi-Cluster Services API (section <c>ErieCanal:Mcs</c>).</summary>
public sealed class McsOptions
{
    /// <summary>
    /// Whether member sessions resolve members' cluster ids and watch multicluster.x-k8s.io ServiceExports. Off: no
    /// MCS CRD is installed or read, and the flomesh.io path is all there is.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How a member's client-side proxy is found: the label selector of its Service (the chart's proxy Service carries
    /// these labels). The derived Services' endpoints are that Service's ready endpoints.
    /// </summary>
    public string ProxyServiceSelector { get; set; } = "app.kubernetes.io/part-of=erie-canal-orleans,app.kubernetes.io/component=proxy";

    /// <summary>How often each member's proxy endpoints are read again; a change rewrites every derived Service's endpoints there.</summary>
    public TimeSpan ProxyRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether each TCP port of a proxy-fronted Service (derived, or same-name) lands on a proxy listener of its own
    /// (so plain TCP crosses clusters), rather than on the proxy's HTTP port (the proxy before listeners).
    /// </summary>
    public bool ProxyListeners { get; set; } = true;

    /// <summary>The listener port range (inclusive), as the proxy's <c>DataPlane:ListenerFirstPort/LastPort</c>; MCS fronts take the lower half, flomesh.io ones the upper.</summary>
    public int ProxyListenerFirstPort { get; set; } = Interfaces.ProxyListeners.DefaultFirstPort;

    public int ProxyListenerLastPort { get; set; } = Interfaces.ProxyListeners.DefaultLastPort;
}
