using System.Diagnostics;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;
using ErieCanal.Orleans.Embedded;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// Flips one member's health with the system converged: stops the member's gateway (connections refused) until every
/// member's routing marks its endpoints Unhealthy, then starts it until they are Active again, counting the
/// ServiceImport changes committed in every member meanwhile. With the default Locality routing a member's endpoints
/// appear only in its own imports, so a few of its services get an ActiveActive GlobalTrafficPolicy in every member
/// first (the probes): their routing shows the flip everywhere. The workload's Services have no endpoints, so the member's
/// exports get a ready EndpointSlice each first (an export without one is unhealthy whatever its member's health).
/// </summary>
public static class HealthFlip
{
    private const string PolicyGroup = "flomesh.io";
    private const string PolicyVersion = "v1alpha1";
    private const string PolicyPlural = "globaltrafficpolicies";
    private const int ProbeCount = 3;
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(30);

    public static async Task<HealthFlipResult> RunAsync(
        EmbeddedEnvironment environment,
        Workload workload,
        BenchSettings settings,
        IReadOnlyList<IKubernetes> clients,
        Action<string> progress,
        CancellationToken cancellationToken)
    {
        var member = workload.MemberNames[0];
        var exported = Enumerable.Range(0, settings.Services).Where(i => workload.MemberOf(i) == member).ToList();
        var probes = exported.Take(ProbeCount).Select(i => (Ns: workload.NamespaceOf(i), Name: Workload.NameOf(i))).ToList();
        var stores = workload.MemberNames.Select(m => environment.Sandbox[m].Store).ToList();

        // Where the member's endpoints are routed: its own imports of all its exports, and the probes' everywhere.
        // An import with no policy and nothing marked carries no status.routing (the spec's default: its own endpoints
        // Active); the probes' policies make theirs written.
        var watched = exported.Select(i => (Store: stores[0], Ns: workload.NamespaceOf(i), Name: Workload.NameOf(i), Policy: probes.Contains((workload.NamespaceOf(i), Workload.NameOf(i)))))
            .Concat(stores.Skip(1).SelectMany(store => probes.Select(p => (Store: store, p.Ns, p.Name, Policy: true))))
            .ToList();
        using var counter = new ImportWriteCounter(stores);

        // The workload's Services have no endpoints, so their endpoints are unhealthy whatever the member's health:
        // give the member's exports a ready endpoint each first.
        progress($"health flip: a ready EndpointSlice for each of {member}'s {exported.Count} exports, ActiveActive policies for {probes.Count} of them in every member");
        var memberClient = clients[0];
        foreach (var i in exported)
        {
            await memberClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(ReadySlice(workload.NamespaceOf(i), Workload.NameOf(i)), workload.NamespaceOf(i), cancellationToken: cancellationToken);
        }

        foreach (var client in clients)
        {
            foreach (var (ns, name) in probes)
            {
                await client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
                {
                    ["apiVersion"] = $"{PolicyGroup}/{PolicyVersion}",
                    ["kind"] = "GlobalTrafficPolicy",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                    ["spec"] = new JsonObject { ["lbType"] = "ActiveActive" },
                }, PolicyGroup, PolicyVersion, ns, PolicyPlural, cancellationToken: cancellationToken);
            }
        }

        if (await WaitRoutedAsync(watched, member, "Active", settings.FlipTimeout, cancellationToken) is null)
        {
            var stuck = watched.First(w => !Shows(w, member, "Active"));
            var status = stuck.Store.Get(ImportWriteCounter.StorageKey, stuck.Ns, stuck.Name)?["status"]?.ToJsonString() ?? "no import";
            throw new InvalidOperationException($"{member}'s endpoints never became Active in every member's routing; {stuck.Ns}/{stuck.Name}: {status}");
        }

        progress("health flip: waiting for quiet, then a quiet window for comparison");
        await counter.WaitQuietAsync(Quiet, QuietTimeout, cancellationToken);
        counter.Take();
        await Task.Delay(settings.FlipBackgroundWindow, cancellationToken);
        var background = counter.Take();

        var gateway = environment.Sandbox[member].Gateway;
        progress($"health flip: stopping {member}'s gateway");
        await gateway.StopAsync();
        var detected = await WaitRoutedAsync(watched, member, "Unhealthy", settings.FlipTimeout, cancellationToken);
        progress(detected is { } d ? $"health flip: Unhealthy everywhere after {d.TotalSeconds:F1} s" : "health flip: NOT detected everywhere");
        await counter.WaitQuietAsync(Quiet, QuietTimeout, cancellationToken);
        var down = counter.Take();

        progress($"health flip: starting {member}'s gateway");
        await gateway.StartAsync(cancellationToken: cancellationToken);
        var recovered = await WaitRoutedAsync(watched, member, "Active", settings.FlipTimeout, cancellationToken);
        progress(recovered is { } r ? $"health flip: Active everywhere after {r.TotalSeconds:F1} s" : "health flip: recovery NOT seen everywhere");
        await counter.WaitQuietAsync(Quiet, QuietTimeout, cancellationToken);
        var up = counter.Take();

        // Back to the plain workload for the phases that follow.
        foreach (var client in clients)
        {
            foreach (var (ns, name) in probes)
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(PolicyGroup, PolicyVersion, ns, PolicyPlural, name, cancellationToken: cancellationToken);
            }
        }

        return new HealthFlipResult(member, exported.Count, probes.Count, settings.Members, settings.FlipBackgroundWindow, background, detected, down, recovered, up);
    }

    /// <summary>Polls until every watched import routes to the member's endpoints in <paramref name="state"/>.</summary>
    private static async Task<TimeSpan?> WaitRoutedAsync(
        IReadOnlyList<(ObjectStore Store, string Ns, string Name, bool Policy)> watched,
        string member,
        string state,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < timeout)
        {
            if (watched.All(w => Shows(w, member, state)))
            {
                return Stopwatch.GetElapsedTime(start);
            }

            await Task.Delay(100, cancellationToken);
        }

        return null;
    }

    private static bool Shows((ObjectStore Store, string Ns, string Name, bool Policy) watched, string member, string state)
    {
        var import = watched.Store.Get(ImportWriteCounter.StorageKey, watched.Ns, watched.Name);
        if (!watched.Policy && state == "Active" && import is not null && import["status"]?["routing"] is null)
        {
            return true;
        }

        var states = EndpointStates(import, member).ToList();
        return states.Count > 0 && states.All(s => s == state);
    }

    private static V1EndpointSlice ReadySlice(string ns, string service) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{service}-ready", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = ["10.200.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
    };

    /// <summary>The states status.routing gives the member's endpoints (clusterKey ending in /member).</summary>
    private static IEnumerable<string> EndpointStates(JsonObject? import, string member) =>
        (import?["status"]?["routing"]?["ports"] as JsonArray ?? [])
            .SelectMany(port => port?["endpoints"] as JsonArray ?? [])
            .Where(e => e?["clusterKey"]?.GetValue<string>() is { } key && key.EndsWith("/" + member, StringComparison.Ordinal))
            .Select(e => e?["state"]?.GetValue<string>() ?? "");
}
