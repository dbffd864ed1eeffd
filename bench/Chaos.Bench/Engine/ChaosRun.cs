using System.Diagnostics;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.TestSupport;
using k8s;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// One seeded chaos run: the embedded sandbox (control plane + three members with their data planes) in this
/// process, the store server and the silo processes beside it; the operations, with the faults injected at fixed
/// points of the operation stream and healed after their hold; then the wait for the members' ServiceImports to
/// equal the oracle's.
/// </summary>
public sealed class ChaosRun
{
    private readonly ChaosSettings _settings;
    private readonly Action<string> _progress;
    private readonly Random _pauses;
    private readonly Random _victims;

    private ChaosRun(ChaosSettings settings, Action<string> progress)
    {
        _settings = settings;
        _progress = progress;
        // Apart from the operations' generator, so neither pauses nor fault targets shift the operations.
        _pauses = new Random(settings.Seed + 1);
        _victims = new Random(settings.Seed + 2);
    }

    public static Task<ChaosResult> RunAsync(ChaosSettings settings, string directory, Action<string> progress, CancellationToken cancellationToken) =>
        new ChaosRun(settings, progress).RunAsync(directory, cancellationToken);

    private async Task<ChaosResult> RunAsync(string directory, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var store = await StoreServer.StartAsync(_settings.Store, Path.Combine(directory, "store"));
        _progress($"store: {store?.Name ?? "memory"}{(store is null ? "" : $" on 127.0.0.1:{store.Port}")}");
        await using var environment = await EmbeddedEnvironment.StartAsync(ChaosSettings.Members, Path.Combine(directory, "sandbox"), cancellationToken: ct);
        var clients = ChaosSettings.Members.ToDictionary(m => m, environment.Client);
        try
        {
            foreach (var client in clients.Values)
            {
                await OperationApplier.EnsureNamespaceAsync(client, ct);
            }

            var clusterId = $"chaos-{Guid.NewGuid():N}";
            var silos = Enumerable.Range(1, _settings.SiloCount)
                .Select(i => SiloProcess.Create($"silo-{i}", "default", environment.ControlPlaneKubeconfig, clusterId, SiloSettings(store)))
                .ToList();
            try
            {
                foreach (var silo in silos)
                {
                    await silo.StartAsync(TimeSpan.FromSeconds(120));
                    _progress($"{silo.Name} ready ({silo.Api})");
                }

                await WaitManagedAsync(environment, ct);
                var (operations, failed, faults, lastHealed) = await OperateAsync(environment, clients, store, silos, ct);
                _progress($"{operations.Values.Sum()} operations ({failed} failed), {faults.Values.Sum()} faults; waiting for convergence");
                var (convergence, final) = await ConvergeAsync(environment, clients, lastHealed, ct);
                if (convergence is null)
                {
                    await DiagnoseAsync(silos, final, ct);
                }

                return new ChaosResult(_settings, operations, failed, faults, convergence, final, Stopwatch.GetElapsedTime(started));
            }
            catch (Exception) when (silos.Count > 0)
            {
                foreach (var silo in silos)
                {
                    await Console.Error.WriteLineAsync($"--- {silo.Name} output (tail) ---{Environment.NewLine}{silo.Tail()}");
                }

                throw;
            }
            finally
            {
                foreach (var silo in silos)
                {
                    await silo.DisposeAsync();
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The silos' settings: the store's, and a contribution refresh short enough to happen within a run.</summary>
    private static Dictionary<string, string> SiloSettings(StoreServer? store)
    {
        var settings = new Dictionary<string, string> { ["ErieCanal__ContributionRefreshInterval"] = "00:00:20" };
        foreach (var (key, value) in store?.SiloEnvironment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task<(Dictionary<OperationKind, int> Operations, int Failed, Dictionary<FaultKind, int> Faults, long LastHealed)> OperateAsync(
        EmbeddedEnvironment environment, Dictionary<string, Kubernetes> clients, StoreServer? store, List<SiloProcess> silos, CancellationToken ct)
    {
        var workload = new Workload(_settings.Seed, _settings.Services);
        var operations = Enum.GetValues<OperationKind>().ToDictionary(k => k, _ => 0);
        var faults = new Dictionary<FaultKind, int>();
        var failed = 0;
        var spacing = Math.Max(1, _settings.Operations / (_settings.Faults.Count + 1));
        var next = 0;
        var lastHealed = Stopwatch.GetTimestamp();
        for (var index = 0; index < _settings.Operations;)
        {
            ActiveFault? fault = null;
            if (next < _settings.Faults.Count && index >= (next + 1) * spacing)
            {
                fault = await InjectAsync(_settings.Faults[next++], environment, store, silos, ct);
                faults[fault.Kind] = faults.GetValueOrDefault(fault.Kind) + 1;
            }

            var count = fault is null ? 1 : Math.Min(_settings.OperationsPerFault, _settings.Operations - index);
            for (var i = 0; i < count; i++, index++)
            {
                var writable = ChaosSettings.Members.Where(m => m != fault?.UnwritableMember).ToList();
                var operation = workload.Next(index, writable);
                operations[operation.Kind]++;
                if (!await OperationApplier.ApplyAsync(clients[operation.Member], operation, _progress, ct))
                {
                    failed++;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(_pauses.NextDouble() * _settings.MaximumPause.TotalMilliseconds), ct);
            }

            if (fault is not null)
            {
                var remaining = _settings.MinimumHold - Stopwatch.GetElapsedTime(fault.Since);
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, ct);
                }

                await fault.HealAsync();
                lastHealed = Stopwatch.GetTimestamp();
                _progress($"healed {fault.Description}");
            }
        }

        // Faults not yet played (fewer operations than the schedule needs) are played back to back.
        while (next < _settings.Faults.Count)
        {
            var fault = await InjectAsync(_settings.Faults[next++], environment, store, silos, ct);
            faults[fault.Kind] = faults.GetValueOrDefault(fault.Kind) + 1;
            await Task.Delay(_settings.MinimumHold, ct);
            await fault.HealAsync();
            lastHealed = Stopwatch.GetTimestamp();
            _progress($"healed {fault.Description}");
        }

        return (operations, failed, faults, lastHealed);
    }

    private async Task<ActiveFault> InjectAsync(FaultKind kind, EmbeddedEnvironment environment, StoreServer? store, List<SiloProcess> silos, CancellationToken ct)
    {
        var member = ChaosSettings.Members[_victims.Next(ChaosSettings.Members.Length)];
        var cluster = environment.Sandbox[member];
        ActiveFault fault;
        switch (kind)
        {
            case FaultKind.SiloKill:
                var silo = silos[_victims.Next(silos.Count)];
                await silo.KillAsync();
                fault = new ActiveFault(kind, $"kill -9 {silo.Name}", null, () => silo.StartAsync(TimeSpan.FromSeconds(120)));
                break;
            case FaultKind.StoreRestart when store is not null:
                await store.KillAsync();
                fault = new ActiveFault(kind, $"{store.Name} killed (restarted on the same port and data when healed)", null, store.StartAgainAsync);
                break;
            case FaultKind.MemberOffline:
                await cluster.GoOfflineAsync(ct);
                fault = new ActiveFault(kind, $"{member} offline", member, () => cluster.GoOnlineAsync(ct));
                break;
            case FaultKind.MemberFrozen:
                cluster.Faults.Freeze();
                fault = new ActiveFault(kind, $"{member} frozen", member, () =>
                {
                    cluster.Faults.Thaw();
                    return Task.CompletedTask;
                });
                break;
            case FaultKind.MemberCompacted:
                cluster.Store.Compact();
                cluster.Faults.DropWatches();
                fault = new ActiveFault(kind, $"{member} compacted, watches dropped", null, () =>
                {
                    cluster.Store.Compact();
                    cluster.Faults.DropWatches();
                    return Task.CompletedTask;
                });
                break;
            case FaultKind.WatchesDropped:
                cluster.Faults.DropWatches();
                fault = new ActiveFault(kind, $"{member} watches dropped", null, () =>
                {
                    cluster.Faults.DropWatches();
                    return Task.CompletedTask;
                });
                break;
            case FaultKind.ControlPlaneOffline:
                var controlPlane = environment.Sandbox[EmbeddedEnvironment.ControlPlaneName];
                await controlPlane.GoOfflineAsync(ct);
                fault = new ActiveFault(kind, "control plane offline", null, () => controlPlane.GoOnlineAsync(ct));
                break;
            default:
                throw new InvalidOperationException($"fault {kind} does not apply to the {_settings.Store} store");
        }

        _progress($"fault: {fault.Description}");
        return fault;
    }

    /// <summary>
    /// After a run that did not converge: what the grains hold for each service that differs (its contributors, and
    /// the consuming member's routing as its writer decides it), and every silo's output in a file, for the report.
    /// </summary>
    private async Task DiagnoseAsync(List<SiloProcess> silos, ConvergenceCheck check, CancellationToken ct)
    {
        var logs = Path.Combine(Path.GetTempPath(), "erie-canal-chaos-logs", $"seed{_settings.Seed}-{_settings.Store}-{DateTime.UtcNow:HHmmss}");
        Directory.CreateDirectory(logs);
        foreach (var silo in silos)
        {
            await File.WriteAllTextAsync(Path.Combine(logs, $"{silo.Name}.log"), silo.Output, ct);
        }

        _progress($"silo output: {logs}");
        if (silos.FirstOrDefault(s => s.Running) is not { } running)
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = running.Api, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var finding in check.RoutingMismatches.Concat(check.SpecMismatches).Take(5))
        {
            // "<member>: <ns>/<name> ..." as ConvergenceCheck writes it.
            var member = finding[..finding.IndexOf(':', StringComparison.Ordinal)];
            var service = finding[(member.Length + 2)..].Split(' ')[0];
            foreach (var path in new[] { $"api/v1/services/{service}", $"api/v1/routing/default/default/default/{member}/{service}", $"api/v1/clusters/default/default/default/{member}" })
            {
                try
                {
                    _progress($"GET /{path}: {await http.GetStringAsync(path, ct)}");
                }
                catch (HttpRequestException ex)
                {
                    _progress($"GET /{path}: {ex.Message}");
                }
            }
        }
    }

    /// <summary>Polls the members until their imports equal the oracle's, then reads once more to see that it holds.</summary>
    private async Task<(TimeSpan? Convergence, ConvergenceCheck Final)> ConvergeAsync(
        EmbeddedEnvironment environment, Dictionary<string, Kubernetes> clients, long lastHealed, CancellationToken ct)
    {
        ConvergenceCheck check;
        var reported = Stopwatch.GetTimestamp();
        while (true)
        {
            check = await CheckAsync(environment, clients, ct);
            var elapsed = Stopwatch.GetElapsedTime(lastHealed);
            if (check.Converged)
            {
                // Once more after a few repair periods: a converged state must stay converged.
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                var again = await CheckAsync(environment, clients, ct);
                if (again.Converged)
                {
                    _progress($"converged {elapsed.TotalSeconds:F1} s after the last fault was healed ({check.Expected} imports)");
                    return (elapsed, again);
                }

                check = again;
            }

            if (elapsed > _settings.ConvergenceTimeout)
            {
                _progress($"not converged within {_settings.ConvergenceTimeout.TotalSeconds:F0} s");
                return (null, check);
            }

            if (Stopwatch.GetElapsedTime(reported) > TimeSpan.FromSeconds(10))
            {
                reported = Stopwatch.GetTimestamp();
                _progress($"converging: {check.Lost.Count} lost, {check.Extra.Count} extra, {check.SpecMismatches.Count} spec and {check.RoutingMismatches.Count} routing mismatches; e.g. {check.Findings.FirstOrDefault()}");
            }

            await Task.Delay(500, ct);
        }
    }

    private static async Task<ConvergenceCheck> CheckAsync(EmbeddedEnvironment environment, Dictionary<string, Kubernetes> clients, CancellationToken ct)
    {
        var members = new List<MemberObjects>();
        foreach (var (member, client) in clients)
        {
            members.Add(await MemberObjects.ReadAsync(client, member, environment.Sandbox[member].Gateway.Port, ct));
        }

        return ConvergenceCheck.Of(members);
    }

    /// <summary>Every member's Cluster is Managed (connected, watches synced) before the first operation.</summary>
    private async Task WaitManagedAsync(EmbeddedEnvironment environment, CancellationToken ct)
    {
        using var client = environment.Client(EmbeddedEnvironment.ControlPlaneName);
        var waiting = Stopwatch.GetTimestamp();
        while (true)
        {
            var raw = await client.CustomObjects.ListClusterCustomObjectAsync("flomesh.io", "v1alpha1", "clusters", cancellationToken: ct);
            var items = JsonNode.Parse(raw is System.Text.Json.JsonElement e ? e.GetRawText() : System.Text.Json.JsonSerializer.Serialize(raw))?["items"] as JsonArray ?? [];
            var managed = items.OfType<JsonObject>().Count(c => (c["status"]?["conditions"] as JsonArray ?? [])
                .OfType<JsonObject>().Any(x => (string?)x["type"] == "Managed" && (string?)x["status"] == "True"));
            if (managed == ChaosSettings.Members.Length)
            {
                _progress($"every member managed after {Stopwatch.GetElapsedTime(waiting).TotalSeconds:F1} s");
                return;
            }

            if (Stopwatch.GetElapsedTime(waiting) > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"only {managed} of {ChaosSettings.Members.Length} members became Managed");
            }

            await Task.Delay(250, ct);
        }
    }

    private sealed record ActiveFault(FaultKind Kind, string Description, string? UnwritableMember, Func<Task> HealAsync)
    {
        public long Since { get; } = Stopwatch.GetTimestamp();
    }
}
