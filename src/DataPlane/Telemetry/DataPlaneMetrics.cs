using System.Diagnostics.Metrics;

namespace ErieCanal.Orleans.DataPlane.Telemetry;

/// <summary>
/// One data-plane component's instruments, on a meter of its own (named <see cref="MeterName"/>; the embedded
/// default runs three gateways and three proxies in one process, and each /metrics shows only its own). Every
/// series carries <c>component</c> (gateway or proxy), <c>member</c>, the upstream <c>cluster</c> (a cluster key)
/// and the <c>service</c> (svc.ns:port).
/// </summary>
public sealed class DataPlaneMetrics : IDisposable
{
    public const string MeterName = "ErieCanal.Orleans.DataPlane";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _ejections;
    private readonly Counter<long> _connections;
    private readonly Counter<long> _connectionFailures;
    private readonly Counter<long> _connectionBytes;
    private readonly Counter<long> _listenFailures;
    private readonly string _component;
    private readonly string _member;

    public DataPlaneMetrics(string component, string member)
    {
        _component = component;
        _member = member;
        Meter = new Meter(MeterName);
        _requests = Meter.CreateCounter<long>("eriecanal.dataplane.requests", description: "Attempts forwarded to an upstream cluster (a retry is an attempt of its own)");
        _failures = Meter.CreateCounter<long>("eriecanal.dataplane.failures", description: "Attempts that failed, by reason: refused, timeout, connection, 5xx");
        _retries = Meter.CreateCounter<long>("eriecanal.dataplane.retries", description: "Requests retried elsewhere after an attempt on this cluster failed");
        _ejections = Meter.CreateCounter<long>("eriecanal.dataplane.ejections", description: "Endpoints of this cluster taken out of rotation by outlier detection");
        _connections = Meter.CreateCounter<long>("eriecanal.dataplane.connections", description: "TCP connections opened to an upstream cluster: tunnels to its gateway or connections to a pod (proxy), tunnels spliced to a pod (gateway)");
        _connectionFailures = Meter.CreateCounter<long>("eriecanal.dataplane.connection_failures", description: "TCP connections or tunnels that could not be opened, by reason");
        _connectionBytes = Meter.CreateCounter<long>("eriecanal.dataplane.connection_bytes", description: "Bytes carried by TCP connections and tunnels, by direction: sent (towards the upstream) or received (from it)");
        _listenFailures = Meter.CreateCounter<long>("eriecanal.dataplane.listen_failures", description: "Per-port listeners that could not be opened (port in use, outside the configured range)");
    }

    /// <summary>This component's meter: its exporter keeps only instruments of this very instance.</summary>
    public Meter Meter { get; }

    public void Request(string cluster, string service) => _requests.Add(1, Tags(cluster, service));

    public void Failure(string cluster, string service, string reason)
    {
        var tags = Tags(cluster, service);
        tags.Add("reason", reason);
        _failures.Add(1, tags);
    }

    public void Retry(string cluster, string service) => _retries.Add(1, Tags(cluster, service));

    public void Ejection(string cluster, string service) => _ejections.Add(1, Tags(cluster, service));

    public void Connection(string cluster, string service) => _connections.Add(1, Tags(cluster, service));

    public void ConnectionFailure(string cluster, string service, string reason)
    {
        var tags = Tags(cluster, service);
        tags.Add("reason", reason);
        _connectionFailures.Add(1, tags);
    }

    /// <summary>Bytes of a TCP connection or tunnel: <paramref name="sent"/> towards the upstream, else received from it.</summary>
    public void ConnectionBytes(string cluster, string service, bool sent, long bytes)
    {
        var tags = Tags(cluster, service);
        tags.Add("direction", sent ? "sent" : "received");
        _connectionBytes.Add(bytes, tags);
    }

    public void ListenFailure(int port, string reason) =>
        _listenFailures.Add(1, new System.Diagnostics.TagList { { "component", _component }, { "member", _member }, { "port", port }, { "reason", reason } });

    /// <summary>The gauge of endpoints out of rotation right now, read at each collection.</summary>
    public void ObserveEjected(Func<IEnumerable<(string Cluster, string Service, int Ejected)>> snapshot) =>
        Meter.CreateObservableGauge(
            "eriecanal.dataplane.ejected_endpoints",
            () => snapshot().Select(s => new Measurement<int>(s.Ejected, Tags(s.Cluster, s.Service))),
            description: "Endpoints currently ejected by outlier detection");

    public void Dispose() => Meter.Dispose();

    private System.Diagnostics.TagList Tags(string cluster, string service) =>
        new() { { "component", _component }, { "member", _member }, { "cluster", cluster }, { "service", service } };
}
