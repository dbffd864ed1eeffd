using System.Diagnostics;
using ErieCanal.Orleans.Embedded;
using k8s;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// Drives one pipeline on one sandbox through the three phases, each on services of its own: a cold start (Services and
/// exports exist before the pipeline starts), exports paced at a fixed rate, and exports as fast as a few writers go.
/// In the later phases the Services are created first, so each timed create is the export alone. When asked, a health
/// flip of one member runs between the cold start and the later phases.
/// </summary>
public static class PropagationRun
{
    public static async Task<PipelineResult> RunAsync(
        EmbeddedEnvironment environment,
        Workload workload,
        BenchSettings settings,
        IPropagationPipeline pipeline,
        bool flipHealth,
        Action<string> progress,
        CancellationToken cancellationToken)
    {
        var n = settings.Services;
        var writers = workload.MemberNames.Select(environment.Client).ToList();
        var watchers = workload.MemberNames.Select(environment.Client).ToList();
        try
        {
            foreach (var client in writers)
            {
                await workload.CreateNamespacesAsync(client, cancellationToken);
            }

            await using var recorder = new ImportRecorder(workload, watchers);
            await recorder.StartAsync(TimeSpan.FromSeconds(30), cancellationToken);

            progress($"{pipeline.Name}: creating {n} services and exports before it starts");
            await CreateServicesAsync(writers, workload, 0, n, settings, cancellationToken);
            var (_, exportFailures, _) = await ConcurrentRunner.RunAsync(n, settings.SetupConcurrency, i => workload.CreateExportAsync(writers[i % settings.Members], i, cancellationToken), cancellationToken);
            if (exportFailures > 0)
            {
                throw new InvalidOperationException($"{exportFailures} export creates failed");
            }

            progress($"{pipeline.Name}: cold start");
            var cpu = Environment.CpuUsage.TotalTime;
            var start = Stopwatch.GetTimestamp();
            await pipeline.StartAsync(cancellationToken);
            await recorder.WaitEverywhereAsync(0, n, settings.ConvergeTimeout, cancellationToken);
            var converged = Enumerable.Range(0, n).Select(recorder.SeenEverywhere).Where(t => t != 0).DefaultIfEmpty(start).Max();
            var cold = new ColdStartResult(n, settings.Members, Stopwatch.GetElapsedTime(start, converged), n - recorder.CountEverywhere(0, n), Environment.CpuUsage.TotalTime - cpu);

            // With the cold start's exports imported everywhere: one member's health off and on again.
            var flip = flipHealth ? await HealthFlip.RunAsync(environment, workload, settings, writers, progress, cancellationToken) : null;

            var phases = new List<PhaseResult>();
            progress($"{pipeline.Name}: exports paced at {settings.PacedRate}/s");
            phases.Add(await SteadyAsync(writers, recorder, workload, settings, $"paced-{settings.PacedRate}", n, settings.PacedRate, 8, cancellationToken));
            progress($"{pipeline.Name}: exports as fast as {settings.BurstWriters} writers go");
            phases.Add(await SteadyAsync(writers, recorder, workload, settings, $"burst-{settings.BurstWriters}-writers", 2 * n, null, settings.BurstWriters, cancellationToken));
            return new PipelineResult(pipeline.Name, cold, phases, recorder.WatchErrors, flip);
        }
        finally
        {
            foreach (var client in writers.Concat(watchers))
            {
                client.Dispose();
            }
        }
    }

    private static async Task<PhaseResult> SteadyAsync(
        IReadOnlyList<IKubernetes> writers,
        ImportRecorder recorder,
        Workload workload,
        BenchSettings settings,
        string scenario,
        int from,
        int? rate,
        int concurrency,
        CancellationToken cancellationToken)
    {
        var n = settings.Services;
        await CreateServicesAsync(writers, workload, from, n, settings, cancellationToken);

        // Let the pipeline digest the Services (the system watches them) before the clock starts.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);

        var sent = new long[n];
        var cpu = Environment.CpuUsage.TotalTime;
        var pause = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        var start = Stopwatch.GetTimestamp();
        var (elapsed, failures, _) = await ConcurrentRunner.RunAsync(n, concurrency, async k =>
        {
            if (rate is { } perSecond)
            {
                var due = TimeSpan.FromSeconds((double)k / perSecond) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }
            }

            var i = from + k;
            sent[k] = Stopwatch.GetTimestamp();
            await workload.CreateExportAsync(writers[i % settings.Members], i, cancellationToken);
        }, cancellationToken);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{scenario}: {failures} export creates failed");
        }

        await recorder.WaitEverywhereAsync(from, from + n, settings.DrainTimeout, cancellationToken);
        var latencies = new List<double>(n);
        for (var k = 0; k < n; k++)
        {
            var seen = recorder.SeenEverywhere(from + k);
            if (seen != 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent[k], seen).TotalMilliseconds);
            }
        }

        return new PhaseResult(scenario, n, n / elapsed.TotalSeconds, LatencySummary.From(latencies), n - latencies.Count, Environment.CpuUsage.TotalTime - cpu, GC.GetTotalPauseDuration() - pause, GC.CollectionCount(2) - gen2);
    }

    private static async Task CreateServicesAsync(IReadOnlyList<IKubernetes> writers, Workload workload, int from, int count, BenchSettings settings, CancellationToken cancellationToken)
    {
        var (_, failures, _) = await ConcurrentRunner.RunAsync(count, settings.SetupConcurrency, k => workload.CreateServiceAsync(writers[(from + k) % settings.Members], from + k, cancellationToken), cancellationToken);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} Service creates failed");
        }
    }
}
