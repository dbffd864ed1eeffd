using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>Builders shaped like the conformance suite's objects, so each test states only what it is about.</summary>
internal static class McsFixtures
{
    public const string Ns = "mcs-conformance-1";
    public const string Svc = "hello";
    public const string K1 = "default/default/default/cluster-1";
    public const string K2 = "default/default/default/cluster-2";
    public const string K3 = "default/default/default/cluster-3";

    public static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    public static McsPort Tcp42 { get; } = new("tcp", "TCP", 42, null);

    public static McsPort Udp42 { get; } = new("udp", "UDP", 42, null);

    /// <summary>The suite's hello Service: tcp 42/TCP, udp 42/UDP, ClientIP affinity with a 10 s timeout.</summary>
    public static McsServiceSnapshot Hello(params McsPort[] ports) => new(
        "ClusterIP", false, "ClientIP", 10, "Cluster", null, ["IPv4"], ports.Length == 0 ? [Tcp42, Udp42] : [.. ports]);

    public static McsEndpointSlice Slice(string ip, params McsPort[] ports) => new(
        "IPv4",
        [.. ports.Select(p => new McsSlicePort(p.Name, p.Protocol, p.Port, p.AppProtocol))],
        [new McsEndpoint([ip], null, true, true, false, null, "node-1")]);

    /// <summary>cluster-N's export of <paramref name="service"/>, created <paramref name="seconds"/> after T0.</summary>
    public static McsContribution Export(int cluster, int seconds, McsServiceSnapshot? service = null)
    {
        var svc = service ?? Hello();
        return new McsContribution(
            $"default/default/default/cluster-{cluster}",
            $"cluster-{cluster}",
            T0.AddSeconds(seconds),
            svc,
            McsMap.Empty,
            McsMap.Empty,
            [Slice($"10.{cluster}.0.1", [.. svc.Ports])]);
    }

    public static McsMap Map(params (string Key, string Value)[] pairs) =>
        McsMap.From(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    public static McsMergeResult Merge(params McsContribution[] exports) => McsImportMerger.Merge(Ns, Svc, 1, exports);

    public static McsMergedImport Import(params McsContribution[] exports) =>
        Merge(exports).Import ?? throw new InvalidOperationException("nothing merged");

    public static ImmutableArray<string> PortsOf(McsMergedImport import) =>
        [.. import.Ports.Select(p => $"{p.Name} {p.Port}/{p.Protocol}")];
}
