using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>What one member holds, read through its API: the inputs of the oracle and the ServiceImports to check.</summary>
public sealed record MemberObjects(
    string Member,
    string ClusterKey,
    int GatewayPort,
    IReadOnlyDictionary<string, ServiceObject> Services,
    IReadOnlyDictionary<string, int> ReadyEndpoints,
    IReadOnlyDictionary<string, ExportObject> Exports,
    IReadOnlyDictionary<string, PolicyObject> Policies,
    IReadOnlyDictionary<(string Namespace, string Name), JsonObject> Imports)
{
    /// <summary>The member's multicluster.x-k8s.io ServiceExports (name → creationTimestamp).</summary>
    public IReadOnlyDictionary<string, DateTime> McsExports { get; init; } = new Dictionary<string, DateTime>();

    /// <summary>The member's multicluster.x-k8s.io ServiceImports by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> McsImports { get; init; } = new Dictionary<string, JsonObject>();

    public static async Task<MemberObjects> ReadAsync(IKubernetes client, string member, int gatewayPort, CancellationToken ct)
    {
        const string ns = ChaosSettings.Namespace;
        // A Service the system wrote for an import (selectorless, marked derived-for) is not the workload's: it never exports.
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct)).Items
            .Where(s => s.Metadata.Labels?.ContainsKey("multicluster.flomesh.io/derived-for") != true || (s.Spec.Selector?.Count ?? 0) > 0)
            .ToDictionary(
                s => s.Metadata.Name,
                s => new ServiceObject(
                    s.Spec.Type ?? "ClusterIP",
                    s.Spec.ClusterIP == "None",
                    s.Spec.SessionAffinity ?? "None",
                    [.. (s.Spec.Ports ?? []).Select(p => new ServicePortObject(p.Name, p.Protocol ?? "TCP", p.Port))]),
                StringComparer.Ordinal);

        // Ready endpoints per Service, from its EndpointSlices (a missing ready condition counts as ready).
        var ready = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var slice in (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, cancellationToken: ct)).Items)
        {
            if (slice.Metadata.Labels?.TryGetValue("kubernetes.io/service-name", out var service) == true)
            {
                ready[service] = ready.GetValueOrDefault(service) + (slice.Endpoints ?? []).Count(e => e.Conditions?.Ready != false);
            }
        }

        var exports = (await ListAsync(client, ns, ServiceExportResource.Plural, ct)).ToDictionary(
            e => Text(e, "metadata", "name")!,
            e => new ExportObject(
                DateTime.Parse(Text(e, "metadata", "creationTimestamp")!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
                [.. (e["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().Select(r => new RuleObject((int?)r["portNumber"] ?? 0, (string?)r["path"]))],
                [.. (e["spec"]?["targetClusters"] as JsonArray ?? []).Select(t => (string?)t).OfType<string>()]),
            StringComparer.Ordinal);
        var policies = (await ListAsync(client, ns, GlobalTrafficPolicyResource.Plural, ct)).ToDictionary(
            p => Text(p, "metadata", "name")!,
            p => new PolicyObject(
                Text(p, "spec", "lbType") is { Length: > 0 } lb ? lb : "Locality",
                [.. (p["spec"]?["targets"] as JsonArray ?? []).OfType<JsonObject>().Select(t => ((string?)t["clusterKey"] ?? "", (int?)t["weight"]))]),
            StringComparer.Ordinal);
        var imports = (await ListAsync(client, null, ServiceImportResource.Plural, ct)).ToDictionary(
            i => (Text(i, "metadata", "namespace")!, Text(i, "metadata", "name")!),
            i => i);
        var mcsExports = (await ListMcsAsync(client, ns, McsNames.ServiceExports, ct)).ToDictionary(
            e => Text(e, "metadata", "name")!,
            e => DateTime.Parse(Text(e, "metadata", "creationTimestamp")!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            StringComparer.Ordinal);
        var mcsImports = (await ListMcsAsync(client, ns, McsNames.ServiceImports, ct)).ToDictionary(i => Text(i, "metadata", "name")!, i => i, StringComparer.Ordinal);
        return new MemberObjects(member, Workload.Key(member), gatewayPort, services, ready, exports, policies, imports) { McsExports = mcsExports, McsImports = mcsImports };
    }

    private static async Task<List<JsonObject>> ListAsync(IKubernetes client, string? ns, string plural, CancellationToken ct)
    {
        var raw = ns is null
            ? await client.CustomObjects.ListClusterCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, plural, cancellationToken: ct)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, ns, plural, cancellationToken: ct);
        var json = raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw);
        return [.. (JsonNode.Parse(json)?["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    private static async Task<List<JsonObject>> ListMcsAsync(IKubernetes client, string ns, string plural, CancellationToken ct)
    {
        var raw = await client.CustomObjects.ListNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, ns, plural, cancellationToken: ct);
        var json = raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw);
        return [.. (JsonNode.Parse(json)?["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    private static string? Text(JsonObject o, string first, string second) => (string?)o[first]?[second];
}

public sealed record ServiceObject(string Type, bool Headless, string SessionAffinity, IReadOnlyList<ServicePortObject> Ports);

public sealed record ServicePortObject(string? Name, string Protocol, int Port);

public sealed record ExportObject(DateTime CreatedAt, IReadOnlyList<RuleObject> Rules, IReadOnlyList<string> TargetClusters);

public sealed record RuleObject(int PortNumber, string? Path);

public sealed record PolicyObject(string LbType, IReadOnlyList<(string ClusterKey, int? Weight)> Targets);
