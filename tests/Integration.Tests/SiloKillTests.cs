using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Three real silo processes on a durable store (Azure Table storage on a real Azurite, and Redis on a real
/// redis-server) with the shipped membership defaults: one is
/// killed with SIGKILL while exports are being created and deleted in every member. Nothing is lost, reconciliation
/// resumes within the 10 s the issue sets (the measured figure is printed), and the silo started again rejoins.
/// </summary>
public sealed class SiloKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Namespace = "load";
    private static readonly string[] Members = ["cluster-1", "cluster-2", "cluster-3"];
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-kill-tests", Guid.NewGuid().ToString("N"));
    private EmbeddedEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await EmbeddedEnvironment.StartAsync(Members, _directory,
            options: new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromSeconds(1), PodReadyDelay = TimeSpan.FromMilliseconds(100) });
    }

    public async Task DisposeAsync()
    {
        await _environment.DisposeAsync();
    }

    [Theory]
    [InlineData("azure-table")]
    [InlineData("redis")]
    public async Task Killing_one_of_three_silos_under_load_loses_nothing_and_reconciliation_resumes_within_10s(string storeKind)
    {
        var clusterId = $"kill-{Guid.NewGuid():N}";
        await using var azurite = storeKind == "azure-table" ? await AzuriteServer.StartAsync() : null;
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        var (storeSetting, connectionString) = azurite is not null ? ("Orleans__AzureStorage", azurite.ConnectionString) : ("Orleans__Redis", redis!.ConnectionString);

        // The shipped defaults for resync and repair (not the harness's faster ones): the figure is the product's.
        var settings = new Dictionary<string, string>
        {
            [storeSetting] = connectionString,
            ["ErieCanal__ResyncInterval"] = "00:00:15",
            ["ErieCanal__RepairInterval"] = "00:00:30",
        };
        var silos = new List<SiloProcess>();
        try
        {
            foreach (var name in new[] { "silo-a", "silo-b", "silo-c" })
            {
                silos.Add(await SiloProcess.StartAsync(name, "default", _environment.ControlPlaneKubeconfig, clusterId, settings));
            }

            using var api = new HttpClient { BaseAddress = silos[0].Api };
            var members = Members.ToDictionary(m => m, m => _environment.Client(m));
            var homes = new Dictionary<string, string>();
            foreach (var member in Members)
            {
                var state = await Eventually.Until(() => api.GetFromJsonAsync<ClusterState>($"api/v1/clusters/default/default/default/{member}"),
                    s => s is { Managed: true, Silo.Length: > 0 }, $"{member} managed", TimeSpan.FromSeconds(90));
                homes[member] = state!.Silo!;
            }

            output.WriteLine($"store: {storeKind}; member grains: {string.Join(", ", homes.Select(h => $"{h.Key} on {h.Value}"))}");

            // The victim hosts cluster-1's member grain, so its watches and writes are among what is lost.
            var victim = silos.Single(s => s.Name == homes["cluster-1"]);
            foreach (var member in members.Values)
            {
                await Workloads.EnsureNamespaceAsync(member, Namespace);
            }

            // Membership as a client of the store sees it: when the victim stops being Active is the detection time.
            await using var store = await StoreClient.ConnectAsync(settings, clusterId);
            await Eventually.Until(() => store.ActiveSiloAsync(victim.Name), a => a is not null, $"{victim.Name} Active", TimeSpan.FromSeconds(60));

            // Every member's imports in the load namespace, polled; the first time each name is in all of them.
            var seenEverywhere = new ConcurrentDictionary<string, TimeSpan>();
            var clock = Stopwatch.StartNew();
            using var stopWatching = new CancellationTokenSource();
            var watching = Task.Run(async () =>
            {
                while (!stopWatching.IsCancellationRequested)
                {
                    try
                    {
                        var sets = await Task.WhenAll(members.Values.Select(ImportNamesAsync));
                        var now = clock.Elapsed;
                        foreach (var name in sets.Skip(1).Aggregate(sets[0], (all, set) => all.Intersect(set, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal)))
                        {
                            seenEverywhere.TryAdd(name, now);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException)
                    {
                    }

                    await Task.Delay(100);
                }
            });

            // The load: an export created every 200 ms, round robin over the members, and every third op deletes
            // an earlier one. The victim dies a third of the way through.
            const int Operations = 45;
            const int KillAt = 15;
            var created = new List<(string Name, string Member, TimeSpan At)>();
            var deleted = new HashSet<string>(StringComparer.Ordinal);
            TimeSpan killedAt = default;
            Task<TimeSpan>? detection = null;
            for (var i = 0; i < Operations; i++)
            {
                if (i == KillAt)
                {
                    killedAt = clock.Elapsed;
                    await victim.KillAsync();
                    output.WriteLine($"killed {victim.Name} (pid {victim.ProcessId}) with SIGKILL at {killedAt.TotalSeconds:F2}s");
                    var killed = killedAt;
                    detection = Task.Run(async () =>
                    {
                        await Eventually.Until(() => store.ActiveSiloAsync(victim.Name), a => a is null, $"{victim.Name} declared dead", TimeSpan.FromSeconds(60));
                        return clock.Elapsed - killed;
                    });
                }

                var name = $"e{i:D3}";
                var exporter = Members[i % Members.Length];
                await Workloads.DeployAsync(members[exporter], Namespace, name);
                await Workloads.ExportAsync(members[exporter], Namespace, name);
                created.Add((name, exporter, clock.Elapsed));
                if (i % 3 == 2)
                {
                    var (old, oldExporter, _) = created[i - 2];
                    await Manifests.DeleteExportAsync(members[oldExporter], Namespace, old);
                    deleted.Add(old);
                }

                await Task.Delay(200);
            }

            // Nothing lost, nothing extra: each member holds exactly the exports that still exist.
            var expected = created.Select(c => c.Name).Where(n => !deleted.Contains(n)).Order(StringComparer.Ordinal).ToArray();
            foreach (var (member, client) in members)
            {
                try
                {
                    await Eventually.Until(async () => (await ImportNamesAsync(client)).Order(StringComparer.Ordinal).ToArray(), names => names.SequenceEqual(expected),
                        $"{member} imports exactly the {expected.Length} exports that exist", TimeSpan.FromSeconds(120));
                }
                catch (TimeoutException)
                {
                    await DescribeAsync(member, expected, members, silos.Where(s => !s.HasExited).ToList());
                    throw;
                }
            }

            var withEndpoints = await Task.WhenAll(expected.Select(n => Manifests.GetImportAsync(members["cluster-2"], Namespace, n)));
            Assert.All(withEndpoints, i => Assert.Single(Manifests.EndpointClusters(i)));
            await stopWatching.CancelAsync();
            await watching;

            // Reconciliation resumed: the first export created after the kill (and kept) reached every member.
            var firstAfter = created.First(c => c.At > killedAt && !deleted.Contains(c.Name));
            var resumedAt = seenEverywhere.TryGetValue(firstAfter.Name, out var at) ? at : TimeSpan.MaxValue;
            var firstWrite = seenEverywhere.Where(s => s.Value > killedAt).Select(s => s.Value).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var resume = resumedAt - killedAt;
            output.WriteLine($"{victim.Name} declared dead (no longer Active in membership) {(await detection!).TotalSeconds:F2}s after the kill");
            output.WriteLine($"after the kill: first import made complete in every member after {(firstWrite - killedAt).TotalSeconds:F2}s; " +
                $"the first export created after the kill ({firstAfter.Name}, from {firstAfter.Member}) imported everywhere after {resume.TotalSeconds:F2}s (bound {ResumeBound.TotalSeconds}s)");
            Assert.True(resume <= ResumeBound, $"reconciliation resumed {resume.TotalSeconds:F2}s after the kill; the bound is {ResumeBound.TotalSeconds}s");

            // The killed silo starts again, with nothing done by hand: Active in membership, and it takes grains.
            silos.Remove(victim);
            await victim.DisposeAsync();
            var restarted = await SiloProcess.StartAsync(victim.Name, "default", _environment.ControlPlaneKubeconfig, clusterId, settings);
            silos.Add(restarted);
            var address = await Eventually.Until(() => store.ActiveSiloAsync(restarted.Name), a => a is not null, $"{restarted.Name} Active in membership again", TimeSpan.FromSeconds(60));
            output.WriteLine($"{restarted.Name} rejoined as {address}");
            var more = 0;
            await Eventually.Until(async () =>
            {
                // New exports make new grains; some are placed on the silo that came back.
                var name = $"rejoin{more++:D3}";
                await Workloads.DeployAsync(members["cluster-2"], Namespace, name);
                await Workloads.ExportAsync(members["cluster-2"], Namespace, name);
                return await store.ActivationsOnAsync(address!) > 0;
            }, $"{restarted.Name} hosts grains", TimeSpan.FromSeconds(90));
            await Eventually.Until(() => Manifests.GetImportAsync(members["cluster-3"], Namespace, $"rejoin{more - 1:D3}"), i => i is not null, "an export made after the rejoin is imported");
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>What the grains hold for the names a member got wrong, and the silos' own warnings, for the failure report.</summary>
    private async Task DescribeAsync(string member, string[] expected, Dictionary<string, Kubernetes> members, IReadOnlyList<SiloProcess> survivors)
    {
        var actual = await ImportNamesAsync(members[member]);
        using var api = new HttpClient { BaseAddress = survivors[0].Api };
        foreach (var name in expected.Except(actual).Concat(actual.Except(expected)))
        {
            var service = await api.GetStringAsync($"api/v1/services/{Namespace}/{name}");
            var routing = await api.GetAsync($"api/v1/routing/default/default/default/{member}/{Namespace}/{name}");
            output.WriteLine($"{member} {(expected.Contains(name) ? "lacks" : "has extra")} {name}: service {service}; writer routing {(int)routing.StatusCode} {await routing.Content.ReadAsStringAsync()}");
        }

        foreach (var survivor in survivors)
        {
            // Orleans' own connection warnings after a kill are many and expected; the product's lines are what tell.
            var lines = survivor.Output.Split('\n');
            var ours = lines.Select((line, i) => (line, i)).Where(l => l.line.Contains("ErieCanal.Orleans", StringComparison.Ordinal) && !l.line.StartsWith(' '))
                .SelectMany(l => lines.Skip(l.i).Take(2));
            output.WriteLine($"silo output ({survivor.Name}), the product's log lines:\n{string.Join('\n', ours)}");
        }
    }

    private static async Task<HashSet<string>> ImportNamesAsync(IKubernetes client)
    {
        var raw = await client.CustomObjects.ListNamespacedCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, Namespace, ServiceImportResource.Plural);
        var list = raw is JsonElement element ? element : JsonSerializer.SerializeToElement(raw);
        return list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
    }
}
