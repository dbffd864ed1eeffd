using System.Diagnostics;
using ErieCanal.Orleans.Sandbox.Bench;
using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;

// Capacity of the sandbox itself, through the real KubernetesClient over loopback HTTP: write throughput and
// watch-event delivery latency. Bounded in count and time; prints Markdown tables to stdout.
var commandLine = BenchCommandLine.Parse(args, "usage: sandbox-bench [--quick]", ["--quick"]);
if (commandLine.Exit is { } exit)
{
    return exit;
}

var settings = commandLine.Has("--quick") ? BenchSettings.Quick : BenchSettings.Full;
using var deadline = new CancellationTokenSource(settings.RunTimeout);
var token = deadline.Token;
var started = Stopwatch.GetTimestamp();
await using var host = await SandboxHost.StartAsync(["bench"], new SandboxClusterOptions(), cancellationToken: token);
using var kubeconfig = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(host["bench"].Kubeconfig()));
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}");

// Warm up JIT, connection pool and the store's code paths; not reported.
Progress("warm-up");
await WriteThroughputBench.RunAsync(client, 200, 8, token);

var writes = new List<Throughput>();
foreach (var concurrency in settings.WriteConcurrency)
{
    Progress($"writes at concurrency {concurrency}");
    writes.AddRange(await WriteThroughputBench.RunAsync(client, settings.WriteOps, concurrency, token));
}

var watches = new List<WatchResult>();
Progress($"watch, paced at {settings.PacedRate}/s");
watches.Add(await WatchLatencyBench.RunAsync(client, settings, $"paced-{settings.PacedRate}", settings.PacedRate, settings.BurstWriters, token));
Progress($"watch, as fast as {settings.BurstWriters} writers go");
watches.Add(await WatchLatencyBench.RunAsync(client, settings, $"burst-{settings.BurstWriters}-writers", null, settings.BurstWriters, token));

Console.WriteLine(MarkdownReport.Render(settings, writes, watches, Stopwatch.GetElapsedTime(started)));
var missed = watches.Sum(w => w.Missed);
if (missed > 0)
{
    await Console.Error.WriteLineAsync($"FAILED: watchers missed {missed} deliveries");
    return 1;
}

return 0;
