using ErieCanal.Orleans.Watchers.Informers;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>Settings of one member's gateway (configuration section "DataPlane" in a container).</summary>
public sealed class GatewayOptions
{
    public const string DefaultIngressClass = "erie-canal-orleans";

    /// <summary>Where to listen: an http:// URL; port 0 picks a free port (see <c>DataPlaneServer.Address</c>).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:0";

    /// <summary>Only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation) are routed.</summary>
    public string IngressClass { get; set; } = DefaultIngressClass;

    /// <summary>The member's name, for logs and the <c>member</c> label of its metrics.</summary>
    public string MemberName { get; set; } = "";

    /// <summary>This member's cluster key, the <c>cluster</c> label of its metrics (the pods it routes to are its own); the member's name when empty.</summary>
    public string ClusterKey { get; set; } = "";

    /// <summary>How long a forwarded request may stay silent before it is cancelled.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a tunnel's connect to a pod may take before the next pod is tried.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-request bound on the Kubernetes API calls of the informers.</summary>
    public TimeSpan KubernetesRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public InformerOptions Informer { get; set; } = new();
}
