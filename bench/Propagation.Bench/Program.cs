using System.Diagnostics;
using ErieCanal.Orleans.Propagation.Bench;
using ErieCanal.Orleans.Embedded;

// End-to-end propagation, ServiceExport in one member → ServiceImport seen by a watch in every member: first a
// minimal KubernetesClient pipeline (the floor) on a sandbox of its own, then ErieCanal.Orleans (one in-process
// silo) on a fresh sandbox, same workload, plus a health flip of one member with the cold start's imports in place.
// Neither sandbox runs the members' data plane: its gateways and proxies watch every import, CPU neither pipeline needs.
// Bounded in count and time; loopback only; prints Markdown to stdout.
var commandLine = BenchCommandLine.Parse(args, "usage: propagation-bench [--quick] [--repair-interval=SECONDS] [--no-flip]", ["--quick", "--no-flip"], new Dictionary<string, int> { ["--repair-interval"] = 1 });
if (commandLine.Exit is { } exit)
{
    return exit;
}

var repairInterval = commandLine.Seconds("--repair-interval", out var validRepairInterval);
if (!validRepairInterval)
{
    return BenchCommandLine.Fail($"bad --repair-interval '{commandLine.Value("--repair-interval")}': expected a positive number of seconds");
}

var settings = commandLine.Has("--quick") ? BenchSettings.Quick : BenchSettings.Full;
var flipHealth = !commandLine.Has("--no-flip");
settings = settings with { RepairInterval = repairInterval ?? settings.RepairInterval };
using var deadline = new CancellationTokenSource(settings.RunTimeout);
var token = deadline.Token;
var started = Stopwatch.GetTimestamp();
var directory = Path.Combine(Path.GetTempPath(), "erie-canal-propagation-bench", Guid.NewGuid().ToString("N"));
var workload = new Workload(settings);

void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}");

PipelineResult floor;
Progress($"floor: sandbox with {settings.Members} members (not registered; no silo)");
await using (var environment = await EmbeddedEnvironment.StartAsync(workload.MemberNames, Path.Combine(directory, "floor"), registerMembers: false, startDataPlane: false, cancellationToken: token))
{
    var members = workload.MemberNames.Select(name => (name, (k8s.IKubernetes)environment.Client(name), environment.Sandbox[name].Gateway.Port)).ToList();
    await using var pipeline = new FloorPipeline(members, writersPerMember: 8);
    floor = await PropagationRun.RunAsync(environment, workload, settings, pipeline, flipHealth: false, Progress, token);
    await Console.Error.WriteLineAsync($"floor: {pipeline.WriteFailures} failed creates (retried)");
    foreach (var (_, client, _) in members)
    {
        client.Dispose();
    }
}

PipelineResult ours;
Progress($"ErieCanal.Orleans: sandbox with {settings.Members} registered members, one silo");
await using (var environment = await EmbeddedEnvironment.StartAsync(workload.MemberNames, Path.Combine(directory, "system"), startDataPlane: false, cancellationToken: token))
{
    await using var pipeline = new SiloPipeline(environment, settings);
    ours = await PropagationRun.RunAsync(environment, workload, settings, pipeline, flipHealth, Progress, token);
    Progress("stopping the silo");
}

try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}

Console.WriteLine(MarkdownReport.Render(settings, floor, ours, Stopwatch.GetElapsedTime(started)));
var missed = floor.ColdStart.Missed + ours.ColdStart.Missed + floor.Phases.Sum(p => p.Missed) + ours.Phases.Sum(p => p.Missed);
if (missed > 0)
{
    await Console.Error.WriteLineAsync($"FAILED: {missed} exports never reached every member");
    return 1;
}

if (ours.HealthFlip is { Completed: false })
{
    await Console.Error.WriteLineAsync("FAILED: the health flip (or its recovery) never showed in every member's routing");
    return 1;
}

return 0;
