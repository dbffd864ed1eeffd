namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>The Kubernetes Multi-Cluster Services API (section <c>ErieCanal:Mcs</c>).</summary>
public sealed class McsOptions
{
    /// <summary>
    /// Whether member sessions resolve members' cluster ids and watch multicluster.x-k8s.io ServiceExports. Off: no
    /// MCS CRD is installed or read, and the flomesh.io path is all there is.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
