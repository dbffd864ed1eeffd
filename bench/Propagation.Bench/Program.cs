using System.Diagnostics;
using ErieCanal.Orleans.Propagation.Bench;
using ErieCanal.Orleans.Embedded;

// End-to-end propagation, ServiceExport in one member → ServiceImport seen by a watch in every member: first a
// minimal KubernetesClient pipeline (the floor) on a sandbox of its own, then ErieCanal.Orleans (one in-process
// silo) on a fresh sandbox, same workload, plus a health flip of one member with the cold start's imports in place.
// Neither sandbox runs the members' data plane: its gateways and proxies watch every import, CPU neither pipeline needs.
// Bounded in count and time; loopback only; prints Markdown to stdout.
var settings = BenchSettings.Full;
TimeSpan? repairInterval = null;
var flipHealth = true;
foreach (var arg in args)
{
    switch (arg)
    {
        case "--quick":
            settings = BenchSettings.Quick;
            break;
        case not null when arg.StartsWith("--repair-interval=", StringComparison.Ordinal)
            && double.TryParse(arg["--repair-interval=".Length..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            repairInterval = TimeSpan.FromSeconds(seconds);
            break;
        case "--no-flip":
            flipHealth = false;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: propagation-bench [--quick] [--repair-interval=SECONDS] [--no-flip]");
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{arg}' (try --help)");
            return 2;
    }
}

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
