using ErieCanal.Orleans.Watchers.Informers;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// Settings of the member's clusterset.local DNS server (configuration section "DataPlane:Dns" in a container).
/// Off unless enabled (the <c>dns</c> component always runs it); the default address is loopback, so nothing is
/// exposed unless a listen address is given on purpose (the chart gives 0.0.0.0:5353 behind its Service).
/// </summary>
public sealed class DnsOptions
{
    public const string DefaultListen = "127.0.0.1:5353";

    /// <summary>Run the DNS server beside the gateway or the proxy (the <c>dns</c> component runs it regardless).</summary>
    public bool Enabled { get; set; }

    /// <summary>UDP and TCP address and port; port 0 picks a free port (see <c>EndPoint</c>).</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>TTL of every record and of negative answers, in seconds; CoreDNS's kubernetes plugin uses 5.</summary>
    public int Ttl { get; set; } = ClustersetRecords.DefaultTtlSeconds;

    /// <summary>The member's name, for logs.</summary>
    public string MemberName { get; set; } = "";

    /// <summary>Per-request bound on the Kubernetes API calls of the informers.</summary>
    public TimeSpan KubernetesRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public InformerOptions Informer { get; set; } = new();
}
