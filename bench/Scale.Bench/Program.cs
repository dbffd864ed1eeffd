using System.Diagnostics;
using System.Globalization;
using ErieCanal.Orleans.Scale.Bench;

// How cost grows with members × services: for each size, on a fresh in-process sandbox with one in-process silo,
// cold-start convergence, paced export → import latency, process memory and memory per grain activation. Bounded
// in time; loopback only; Markdown on stdout, progress on stderr; exits 1 if anything never converged.
ScaleSize[] full = [new(10, 1_000), new(30, 1_000), new(100, 1_000), new(10, 10_000)];
ScaleSize[] quick = [new(3, 100), new(5, 200)];
var sizes = full;
var repairInterval = TimeSpan.FromSeconds(30);
foreach (var arg in args)
{
    switch (arg)
    {
        case "--quick":
            sizes = quick;
            break;
        case not null when arg.StartsWith("--sizes=", StringComparison.Ordinal):
            var parsed = arg["--sizes=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => ScaleSize.TryParse(s, out var size) ? size : null).ToList();
            if (parsed.Count == 0 || parsed.Any(s => s is null))
            {
                await Console.Error.WriteLineAsync($"bad --sizes '{arg}': expected e.g. --sizes=10x1000,30x1000");
                return 2;
            }

            sizes = [.. parsed.OfType<ScaleSize>()];
            break;
        case not null when arg.StartsWith("--repair-interval=", StringComparison.Ordinal)
            && double.TryParse(arg["--repair-interval=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            repairInterval = TimeSpan.FromSeconds(seconds);
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: scale-bench [--quick | --sizes=MxS,...] [--repair-interval=SECONDS]");
            Console.WriteLine($"  default sizes: {string.Join(", ", full.Select(s => s.ToString()))}; --quick: {string.Join(", ", quick.Select(s => s.ToString()))}");
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{arg}' (try --help)");
            return 2;
    }
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
