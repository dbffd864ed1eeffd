using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>Hand-written ServiceImports and multi-cluster EndpointSlices shaped as the mcs-api objects are, and DNS questions.</summary>
public static class McsFixtures
{
    public sealed record Port(string? Name, int Number, string Protocol = "TCP");

    public sealed record Endpoint(string Address, bool? Ready = true, string? Hostname = null);

    /// <summary>The conformance suite's hello Service: tcp/42 and udp/42.</summary>
    public static readonly Port[] HelloPorts = [new("tcp", 42, "TCP"), new("udp", 42, "UDP")];

    public static McsServiceImport Import(string ns, string name, string type, IEnumerable<string>? ips = null, IEnumerable<Port>? ports = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new McsServiceImportSpec
        {
            Type = type,
            Ips = ips?.ToList(),
            Ports = [.. (ports ?? HelloPorts).Select(p => new McsServicePort { Name = p.Name, Port = p.Number, Protocol = p.Protocol })],
        },
    };

    public static McsServiceImport ClusterSetIp(string ns, string name, params string[] ips) => Import(ns, name, McsNames.ImportTypes.ClusterSetIp, ips);

    public static McsServiceImport Headless(string ns, string name, IEnumerable<Port>? ports = null) => Import(ns, name, McsNames.ImportTypes.Headless, null, ports);

    public static V1EndpointSlice Slice(string ns, string service, string clusterId, IEnumerable<Endpoint> endpoints, string addressType = "IPv4", string managedBy = McsNames.ManagedBy, string? sliceName = null)
    {
        var list = endpoints.ToList();
        return new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = sliceName ?? $"{service}-{clusterId}-{addressType.ToLowerInvariant()}",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>
                {
                    [McsNames.ServiceNameLabel] = service,
                    [McsNames.SourceClusterLabel] = clusterId,
                    [McsNames.ManagedByLabel] = managedBy,
                },
            },
            AddressType = addressType,
            Ports = [.. HelloPorts.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Number, Protocol = p.Protocol })],
            Endpoints = [.. list.Select(e => new V1Endpoint
            {
                Addresses = [e.Address],
                Hostname = e.Hostname,
                Conditions = e.Ready is null ? null : new V1EndpointConditions { Ready = e.Ready },
            })],
        };
    }

    public static DnsMessage Query(string name, RecordType type, RecordClass recordClass = RecordClass.INet)
    {
        var query = new DnsMessage { TransactionID = 4242, IsRecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, recordClass));
        return query;
    }

    public static string Text(DnsRecordBase record) => record switch
    {
        ARecord a => a.Address.ToString(),
        AaaaRecord aaaa => aaaa.Address.ToString(),
        SrvRecord srv => $"{srv.Priority} {srv.Weight} {srv.Port} {srv.Target}",
        TxtRecord txt => txt.TextData,
        _ => record.ToString(),
    };
}
