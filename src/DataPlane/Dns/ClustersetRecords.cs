using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// An immutable snapshot of every name of the clusterset.local zone, built from the member's ServiceImports and
/// multi-cluster EndpointSlices, and the answers to questions about them (mcs-api DNS specification v1.0.0):
/// <list type="bullet">
/// <item>ClusterSetIP import: A/AAAA of <c>&lt;svc&gt;.&lt;ns&gt;.svc.clusterset.local</c> = its IPs of that family; SRV per named port.</item>
/// <item>Headless import: the ready endpoint addresses, and <c>&lt;hostname&gt;.&lt;clusterid&gt;.&lt;svc&gt;…</c> per endpoint; no ready endpoint: no name at all.</item>
/// <item><c>&lt;clusterid&gt;.&lt;svc&gt;…</c> never exists; unknown names are NXDOMAIN with the SOA for negative caching.</item>
/// </list>
/// Every name is precomputed, so answering is one dictionary lookup and never touches the informers.
/// </summary>
public sealed class ClustersetRecords
{
    public const int DefaultTtlSeconds = 5;

    // SRV priority and weight are free in the spec; these are what other implementations (Lighthouse) and the
    // conformance suite's example show.
    private const ushort SrvPriority = 0;
    private const ushort SrvWeight = 50;

    private readonly Dictionary<string, List<DnsRecordBase>> _names;
    private readonly SoaRecord _soa;

    private ClustersetRecords(Dictionary<string, List<DnsRecordBase>> names, SoaRecord soa, int services)
    {
        _names = names;
        _soa = soa;
        ServiceCount = services;
    }

    public static ClustersetRecords Empty { get; } = Build([], []);

    /// <summary>How many imported services have names (a headless one without ready endpoints has none).</summary>
    public int ServiceCount { get; }

    public int Ttl => _soa.TimeToLive;

    /// <summary>
    /// Builds the zone. Slices count when they carry the service-name and source-cluster labels and this system's
    /// managed-by; endpoints count when their ready condition is not false (unset means ready, as in Kubernetes).
    /// </summary>
    public static ClustersetRecords Build(IEnumerable<McsServiceImport> imports, IEnumerable<V1EndpointSlice> slices, int ttlSeconds = DefaultTtlSeconds, uint serial = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ttlSeconds);
        var zone = new ZoneBuilder(ttlSeconds);
        var soa = new SoaRecord(ClustersetZone.ApexName, ttlSeconds, ClustersetZone.PrimaryServer, ClustersetZone.Hostmaster, serial, 7200, 1800, 86400, ttlSeconds);
        zone.Add(ClustersetZone.Apex, soa);
        zone.Add(ClustersetZone.DnsVersionName, new TxtRecord(DomainName.Parse(ClustersetZone.DnsVersionName), ttlSeconds, ClustersetZone.SchemaVersion));

        var slicesByService = slices.Where(IsOurs).ToLookup(s => (Ns: s.Metadata.NamespaceProperty ?? "", Name: s.Metadata.Labels[McsNames.ServiceNameLabel]));
        var services = 0;
        foreach (var import in imports.OrderBy(i => i.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(i => i.Metadata.Name, StringComparer.Ordinal))
        {
            var ns = import.Metadata.NamespaceProperty ?? "";
            var name = import.Metadata.Name ?? "";
            if (ns.Length == 0 || name.Length == 0)
            {
                continue;
            }

            var added = string.Equals(import.Spec?.Type, McsNames.ImportTypes.Headless, StringComparison.Ordinal)
                ? zone.AddHeadless(ns, name, NamedPorts(import), slicesByService[(ns, name)])
                : zone.AddClusterSetIp(ns, name, NamedPorts(import), import.Spec?.Ips ?? []);
            if (added)
            {
                // The namespace and svc labels become empty non-terminals: NOERROR without records, not NXDOMAIN.
                zone.Touch($"{ns}.{ClustersetZone.ServicesName}".ToLowerInvariant());
                zone.Touch(ClustersetZone.ServicesName);
                services++;
            }
        }

        return new ClustersetRecords(zone.Names, soa, services);
    }

    /// <summary>The answer the server sends to <paramref name="query"/> (public so tests can ask without a socket).</summary>
    public DnsMessage Answer(DnsMessage query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }

        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        if (question.RecordClass is not (RecordClass.INet or RecordClass.Any) || !question.Name.IsEqualOrSubDomainOf(ClustersetZone.ApexName))
        {
            // Not our zone, and this server forwards nowhere.
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }

        response.IsAuthoritiveAnswer = true;
        if (!_names.TryGetValue(ClustersetZone.Key(question.Name), out var records))
        {
            response.ReturnCode = ReturnCode.NxDomain;
            response.AuthorityRecords.Add(_soa);
            return response;
        }

        response.ReturnCode = ReturnCode.NoError;
        foreach (var record in records)
        {
            if (question.RecordType == RecordType.Any || record.RecordType == question.RecordType)
            {
                response.AnswerRecords.Add(record);
            }
        }

        if (response.AnswerRecords.Count == 0)
        {
            // NODATA: the SOA lets resolvers cache the negative answer (RFC 2308).
            response.AuthorityRecords.Add(_soa);
            return response;
        }

        // The targets' addresses, so a client need not ask again (the spec's "may include").
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var srv in response.AnswerRecords.OfType<SrvRecord>())
        {
            var target = ClustersetZone.Key(srv.Target);
            if (targets.Add(target) && _names.TryGetValue(target, out var targetRecords))
            {
                response.AdditionalRecords.AddRange(targetRecords.Where(r => r.RecordType is RecordType.A or RecordType.Aaaa));
            }
        }

        return response;
    }

    private static bool IsOurs(V1EndpointSlice slice) =>
        slice.Metadata?.Labels is { } labels
        && labels.TryGetValue(McsNames.ServiceNameLabel, out var service) && !string.IsNullOrEmpty(service)
        && labels.TryGetValue(McsNames.SourceClusterLabel, out var cluster) && !string.IsNullOrEmpty(cluster)
        && labels.TryGetValue(McsNames.ManagedByLabel, out var managedBy) && managedBy == McsNames.ManagedBy;

    private static List<NamedPort> NamedPorts(McsServiceImport import) =>
        [.. (import.Spec?.Ports ?? [])
            .Where(p => !string.IsNullOrEmpty(p.Name) && p.Port is > 0 and <= ushort.MaxValue)
            .Select(p => new NamedPort(p.Name!.ToLowerInvariant(), (string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol).ToLowerInvariant(), (ushort)p.Port))
            .DistinctBy(p => (p.Name, p.Protocol))];

    /// <summary>A port that has SRV records: unnamed ports have none (spec §2.3.2).</summary>
    private sealed record NamedPort(string Name, string Protocol, ushort Port)
    {
        public string SrvName(string service) => $"_{Name}._{Protocol}.{service}";
    }

    /// <summary>One ready headless endpoint: the name it gets and its addresses.</summary>
    private sealed record HeadlessHost(string Name, List<IPAddress> Addresses);

    private sealed class ZoneBuilder(int ttl)
    {
        public Dictionary<string, List<DnsRecordBase>> Names { get; } = new(StringComparer.Ordinal);

        public void Touch(string name)
        {
            if (!Names.ContainsKey(name))
            {
                Names[name] = [];
            }
        }

        public void Add(string name, DnsRecordBase record)
        {
            Touch(name);
            Names[name].Add(record);
        }

        public bool AddClusterSetIp(string ns, string name, List<NamedPort> ports, IEnumerable<string> ips)
        {
            var service = ClustersetZone.ServiceName(ns, name);
            Touch(service);
            foreach (var ip in ips.Select(Parse).OfType<IPAddress>().Distinct())
            {
                Add(service, Address(service, ip));
            }

            AddSrv(service, ports, [service]);
            return true;
        }

        public bool AddHeadless(string ns, string name, List<NamedPort> ports, IEnumerable<V1EndpointSlice> slices)
        {
            var service = ClustersetZone.ServiceName(ns, name);
            var hosts = ReadyHosts(service, slices);
            if (hosts.Count == 0)
            {
                // Spec §2.4.1: no ready endpoint is NXDOMAIN, for the service and everything under it.
                return false;
            }

            Touch(service);
            foreach (var ip in hosts.SelectMany(h => h.Addresses).Distinct().OrderBy(a => a.AddressFamily).ThenBy(a => a.ToString(), StringComparer.Ordinal))
            {
                Add(service, Address(service, ip));
            }

            foreach (var host in hosts)
            {
                Touch(host.Name);
                foreach (var ip in host.Addresses)
                {
                    Add(host.Name, Address(host.Name, ip));
                }
            }

            AddSrv(service, ports, [.. hosts.Select(h => h.Name)]);
            return true;
        }

        /// <summary>
        /// SRV at the service name (every named port) and at <c>_port._proto.service</c>, one per target and port:
        /// ports that differ only in protocol or name give identical records, which are sent once.
        /// </summary>
        private void AddSrv(string service, List<NamedPort> ports, List<string> targets)
        {
            var serviceName = DomainName.Parse(service);
            var bare = new HashSet<(ushort, string)>();
            foreach (var target in targets)
            {
                var targetName = DomainName.Parse(target);
                foreach (var port in ports.OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (bare.Add((port.Port, target)))
                    {
                        Add(service, new SrvRecord(serviceName, ttl, SrvPriority, SrvWeight, port.Port, targetName));
                    }
                }
            }

            foreach (var port in ports)
            {
                var srvName = port.SrvName(service);
                var owner = DomainName.Parse(srvName);
                Touch(srvName);
                foreach (var target in targets)
                {
                    Add(srvName, new SrvRecord(owner, ttl, SrvPriority, SrvWeight, port.Port, DomainName.Parse(target)));
                }
            }
        }

        private static List<HeadlessHost> ReadyHosts(string service, IEnumerable<V1EndpointSlice> slices)
        {
            var hosts = new Dictionary<string, HeadlessHost>(StringComparer.Ordinal);
            foreach (var slice in slices)
            {
                if (slice.AddressType is not ("IPv4" or "IPv6"))
                {
                    continue;
                }

                var clusterId = slice.Metadata.Labels[McsNames.SourceClusterLabel].ToLowerInvariant();
                foreach (var endpoint in slice.Endpoints ?? [])
                {
                    if (endpoint.Conditions?.Ready == false)
                    {
                        continue;
                    }

                    var addresses = (endpoint.Addresses ?? []).Select(Parse).OfType<IPAddress>().ToList();
                    if (addresses.Count == 0)
                    {
                        continue;
                    }

                    var label = string.IsNullOrEmpty(endpoint.Hostname) ? ClustersetZone.DashedAddress(addresses[0].ToString()) : endpoint.Hostname.ToLowerInvariant();
                    var name = $"{label}.{clusterId}.{service}";

                    // One pod in two slices (one per family) is one host with both addresses.
                    if (!hosts.TryGetValue(name, out var host))
                    {
                        hosts[name] = host = new HeadlessHost(name, []);
                    }

                    host.Addresses.AddRange(addresses.Where(a => !host.Addresses.Contains(a)));
                }
            }

            return [.. hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal)];
        }

        private DnsRecordBase Address(string owner, IPAddress ip) =>
            ip.AddressFamily == AddressFamily.InterNetworkV6
                ? new AaaaRecord(DomainName.Parse(owner), ttl, ip)
                : new ARecord(DomainName.Parse(owner), ttl, ip);

        private static IPAddress? Parse(string? text) =>
            IPAddress.TryParse(text, out var ip) && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 ? ip : null;
    }
}
