using System.Diagnostics;
using ErieCanal.Orleans.Scale.Bench;

// How cost grows with members × services: for each size, on a fresh in-process sandbox with one in-process silo,
// cold-start convergence, paced export → import latency, process memory and memory per grain activation. Bounded
// in time; loopback only; Markdown on stdout, progress on stderr; exits 1 if anything never converged.
ScaleSize[] full = [new(10, 1_000), new(30, 1_000), new(100, 1_000), new(10, 10_000)];
ScaleSize[] quick = [new(3, 100), new(5, 200)];
var commandLine = BenchCommandLine.Parse(args, $"""
    usage: scale-bench [--quick | --sizes=MxS,...] [--repair-interval=SECONDS]
      default sizes: {string.Join(", ", full.Select(s => s.ToString()))}; --quick: {string.Join(", ", quick.Select(s => s.ToString()))}
    """, ["--quick"], new Dictionary<string, int> { ["--sizes"] = 1, ["--repair-interval"] = 1 });
if (commandLine.Exit is { } exit)
{
    return exit;
}

var sizes = commandLine.Has("--quick") ? quick : full;
if (commandLine.Value("--sizes") is { } sizesText)
{
    var parsed = sizesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => ScaleSize.TryParse(s, out var size) ? size : null).ToList();
    if (parsed.Count == 0 || parsed.Any(s => s is null))
    {
        return BenchCommandLine.Fail($"bad --sizes '{sizesText}': expected e.g. --sizes=10x1000,30x1000");
    }

    sizes = [.. parsed.OfType<ScaleSize>()];
}

var repairInterval = commandLine.Seconds("--repair-interval", out var validRepairInterval) ?? TimeSpan.FromSeconds(30);
if (!validRepairInterval)
{
    return BenchCommandLine.Fail($"bad --repair-interval '{commandLine.Value("--repair-interval")}': expected a positive number of seconds");
}

var started = Stopwatch.GetTimestamp();
var directory = Path.Combine(Path.GetTempPath(), "erie-canal-scale-bench", Guid.NewGuid().ToString("N"));
void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,7:F1}s] {message}");

var results = new List<ScaleResult>();
var failed = false;
foreach (var size in sizes)
{
    var settings = ScaleRun.SettingsFor(size, repairInterval);

    // Setup, convergence, the paced phase and stopping, each bounded: the point fails rather than hangs.
    using var deadline = new CancellationTokenSource(settings.ConvergeTimeout + TimeSpan.FromMinutes(5));
    try
    {
        var result = await ScaleRun.RunAsync(size, settings, Path.Combine(directory, $"{size.Members}x{size.Services}"), Progress, deadline.Token);
        results.Add(result);
        failed |= !result.Converged;
    }
    catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or TimeoutException or HttpRequestException)
    {
        Progress($"{size}: FAILED: {ex.GetType().Name}: {ex.Message}");
        failed = true;
    }
}

try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}

var load = File.Exists("/proc/loadavg") ? string.Join(" ", (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3)) : "n/a";
Console.WriteLine(MarkdownReport.Render(results, repairInterval, Stopwatch.GetElapsedTime(started), load));
if (failed)
{
    await Console.Error.WriteLineAsync("FAILED: some point never converged (see above)");
    return 1;
}

return 0;
