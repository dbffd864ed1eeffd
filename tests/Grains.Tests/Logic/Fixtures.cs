using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

/// <summary>Small builders so each test states only what it is about.</summary>
internal static class Fixtures
{
    public const string Ns = "demo";
    public const string Svc = "httpbin";
    public const string C1 = "default/default/default/cluster-1";
    public const string C2 = "default/default/default/cluster-2";
    public const string C3 = "default/default/default/cluster-3";
    public const string C4 = "default/default/default/cluster-4";

    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static IReadOnlySet<string> Known { get; } = new HashSet<string>([C1, C2, C3, C4], StringComparer.Ordinal);

    public static ContributedPort Port(string? name, int port, string protocol = "TCP", string path = "/", string? appProtocol = null) =>
        new(name, protocol, port, appProtocol, path);

    /// <summary>A healthy ClusterSetIP export, created <paramref name="minute"/> minutes after T0.</summary>
    public static ExportContribution Export(string clusterKey, int minute, params ContributedPort[] ports) =>
        new(clusterKey, T0.AddMinutes(minute), "ClusterSetIP", "None", null, null, [.. ports], Gateway(clusterKey), true, []);

    public static GatewayAddress Gateway(string clusterKey)
    {
        var name = ClusterKeys.Name(clusterKey);
        return new GatewayAddress($"{name}.gw.example", $"10.0.0.{name[^1]}", 8091);
    }

    public static MergedImport Import(params ExportContribution[] exports) =>
        Merge(exports).Import ?? throw new InvalidOperationException("nothing merged");

    public static MergeResult Merge(params ExportContribution[] exports) =>
        ImportMerger.Merge(Ns, Svc, 1, exports);

    public static TrafficPolicySpec Policy(string lbType, params PolicyTarget[] targets) => new(lbType, [.. targets], 1);

    public static PolicyTarget Target(string clusterKey, int? weight = null) => new(clusterKey, weight);
}
