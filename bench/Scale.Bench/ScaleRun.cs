using System.Diagnostics;
using ErieCanal.Orleans.Propagation.Bench;
using ErieCanal.Orleans.Embedded;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>
/// One point of the curve on a fresh sandbox: the Services and exports exist before the silo starts (cold start until
/// every import is seen in every member), then a paced phase on new services, then memory and activations, then the
/// silo stops and memory is sampled once more.
/// </summary>
public static class ScaleRun
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    // Paced at a fixed import rate (exports/s × members), so every size asks the same of the sandbox.
    private const double PacedImportsPerSecond = 500;

    public static BenchSettings SettingsFor(ScaleSize size, TimeSpan repairInterval) => BenchSettings.Full with
    {
        Mode = size.ToString(),
        Members = size.Members,
        Namespaces = Math.Min(10, size.Services),
        Services = size.Services,
        PacedRate = (int)Math.Clamp(PacedImportsPerSecond / size.Members, 1, 50),
        SetupConcurrency = 8,
        DrainTimeout = TimeSpan.FromSeconds(60),
        ConvergeTimeout = TimeSpan.FromSeconds(120) + TimeSpan.FromMilliseconds(10 * size.Imports),
        RepairInterval = repairInterval,
    };

    public static async Task<ScaleResult> RunAsync(ScaleSize size, BenchSettings settings, string directory, Action<string> progress, CancellationToken cancellationToken)
    {
        var n = settings.Services;
        var paced = Math.Min(Math.Clamp(settings.PacedRate * 10, 20, 200), n);
        var workload = new Workload(settings);
        progress($"{size}: sandbox with {size.Members} registered members");
        await using var environment = await EmbeddedEnvironment.StartAsync(workload.MemberNames, directory, startDataPlane: false, cancellationToken: cancellationToken);
        var writers = workload.MemberNames.Select(environment.Client).ToList();
        var watchers = workload.MemberNames.Select(environment.Client).ToList();
        try
        {
            await Require("namespace creates", ConcurrentRunner.RunAsync(writers.Count, settings.SetupConcurrency, m => workload.CreateNamespacesAsync(writers[m], cancellationToken), cancellationToken));
            await using var recorder = new ImportRecorder(workload, watchers);
            await recorder.StartAsync(TimeSpan.FromSeconds(60), cancellationToken);

            progress($"{size}: creating {n} services and exports before the silo starts");
            await Require("Service creates", ConcurrentRunner.RunAsync(n, settings.SetupConcurrency, i => workload.CreateServiceAsync(writers[i % size.Members], i, cancellationToken), cancellationToken));
            await Require("export creates", ConcurrentRunner.RunAsync(n, settings.SetupConcurrency, i => workload.CreateExportAsync(writers[i % size.Members], i, cancellationToken), cancellationToken));
            var baseline = MemorySample.Take();
            var members = workload.MemberNames.Select(m => environment.Sandbox[m]).ToList();
            var sockets = new List<SocketSample>();
            void Sockets(string phase)
            {
                var sample = SocketSample.Take(phase, members);
                sockets.Add(sample);
                progress($"{size}: sockets after {sample}");
            }

            Sockets("setup");

            var pipeline = new SiloPipeline(environment, settings);
            using var counter = new ImportWriteCounter([.. workload.MemberNames.Select(m => environment.Sandbox[m].Store)]);
            MemorySample steady;
            TimeSpan settled;
            ImportWriteCounts coldWrites;
            long activations;
            List<(string, long)> byType;
            TimeSpan coldStart, coldCpu, pacedCpu;
            int coldMissed, pacedMissed;
            LatencySummary latency;
            try
            {
                progress($"{size}: cold start, {size.Imports} imports to converge (bound {settings.ConvergeTimeout.TotalSeconds:F0} s)");
                var cpu = Environment.CpuUsage.TotalTime;
                var start = Stopwatch.GetTimestamp();
                await pipeline.StartAsync(cancellationToken);
                using (var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    var report = ReportAsync(recorder, size, n, start, progress, reporting.Token);
                    await recorder.WaitEverywhereAsync(0, n, settings.ConvergeTimeout, cancellationToken);
                    await reporting.CancelAsync();
                    await report;
                }

                var converged = Enumerable.Range(0, n).Select(recorder.SeenEverywhere).Where(t => t != 0).DefaultIfEmpty(start).Max();
                coldStart = Stopwatch.GetElapsedTime(start, converged);
                coldMissed = n - recorder.CountEverywhere(0, n);
                progress($"{size}: converged in {coldStart.TotalSeconds:F1} s ({coldMissed} services missing somewhere)");

                // Imports are visible before their status patches land: the cold start is over when the writes stop.
                await counter.WaitQuietAsync(Quiet, settings.ConvergeTimeout, cancellationToken);
                settled = Stopwatch.GetElapsedTime(start, counter.LastCommit);
                coldCpu = Environment.CpuUsage.TotalTime - cpu;
                coldWrites = counter.Take();
                progress($"{size}: writes settled after {settled.TotalSeconds:F1} s ({coldWrites.Creates} creates, {coldWrites.Status} status, {coldWrites.MainResource} main-resource changes)");
                Sockets("cold start");

                progress($"{size}: {paced} exports paced at {settings.PacedRate}/s ({settings.PacedRate * size.Members} imports/s)");
                (latency, pacedMissed, pacedCpu) = await PacedAsync(writers, recorder, workload, settings, n, paced, cancellationToken);
                Sockets("paced");

                steady = MemorySample.Take();
                var management = pipeline.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
                var statistics = await management.GetSimpleGrainStatistics();
                byType = statistics
                    .GroupBy(s => ShortName(s.GrainType))
                    .Select(g => (g.Key, (long)g.Sum(s => s.ActivationCount)))
                    .OrderByDescending(t => t.Item2)
                    .ToList();
                activations = byType.Sum(t => t.Item2);
                progress($"{size}: {activations} activations, GC heap {steady.GcHeap / 1048576.0:F0} MiB");
            }
            finally
            {
                progress($"{size}: stopping the silo");
                await pipeline.DisposeAsync();
            }

            var stopped = MemorySample.Take();
            Sockets("silo stopped");
            return new ScaleResult(size, coldStart, settled, coldWrites, coldCpu, coldMissed, settings.PacedRate, paced, latency, pacedMissed, pacedCpu,
                baseline, steady, stopped, activations, byType, recorder.WatchErrors, sockets);
        }
        finally
        {
            foreach (var client in writers.Concat(watchers))
            {
                client.Dispose();
            }
        }
    }

    /// <summary>New services' exports at the settings' rate, each timed from its create to its import seen in every member.</summary>
    private static async Task<(LatencySummary Latency, int Missed, TimeSpan Cpu)> PacedAsync(
        IReadOnlyList<IKubernetes> writers, ImportRecorder recorder, Workload workload, BenchSettings settings, int from, int count, CancellationToken cancellationToken)
    {
        var members = settings.Members;
        await Require("Service creates", ConcurrentRunner.RunAsync(count, settings.SetupConcurrency, k => workload.CreateServiceAsync(writers[(from + k) % members], from + k, cancellationToken), cancellationToken));

        // Let the silo digest the Services (it watches them) before the clock starts.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var sent = new long[count];
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        await Require("export creates", ConcurrentRunner.RunAsync(count, 8, async k =>
        {
            var due = TimeSpan.FromSeconds((double)k / settings.PacedRate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            sent[k] = Stopwatch.GetTimestamp();
            await workload.CreateExportAsync(writers[(from + k) % members], from + k, cancellationToken);
        }, cancellationToken));

        await recorder.WaitEverywhereAsync(from, from + count, settings.DrainTimeout, cancellationToken);
        var latencies = new List<double>(count);
        for (var k = 0; k < count; k++)
        {
            if (recorder.SeenEverywhere(from + k) is var seen and not 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent[k], seen).TotalMilliseconds);
            }
        }

        return (LatencySummary.From(latencies), count - latencies.Count, Environment.CpuUsage.TotalTime - cpu);
    }

    private static async Task ReportAsync(ImportRecorder recorder, ScaleSize size, int n, long start, Action<string> progress, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                progress($"{size}: {recorder.CountEverywhere(0, n)} of {n} services everywhere after {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task Require(string what, Task<(TimeSpan Elapsed, int Failures, TimeSpan ProcessCpu)> run)
    {
        var (_, failures, _) = await run;
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} {what} failed");
        }
    }

    /// <summary>The grain class's name without namespace or assembly.</summary>
    private static string ShortName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }
}
