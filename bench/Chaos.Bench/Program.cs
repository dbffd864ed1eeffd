using System.Diagnostics;
using System.Globalization;
using ErieCanal.Orleans.Chaos.Bench;

// The chaos benchmark: seeded creates, updates and deletes of Services, ServiceExports and GlobalTrafficPolicies and
// Deployment scales across three members, interleaved with faults (silo kill -9, store restart, member offline,
// frozen, compacted, watches dropped, control plane offline); after the last fault every member's ServiceImports and
// routing must equal what an independent oracle computes from the objects that exist. Markdown on stdout, progress on
// stderr; exit 1 on any lost or extra import or mismatch.
var commandLine = BenchCommandLine.Parse(args, """
    usage: chaos-bench [--seed=N] [--ops=N] [--store=memory|redis|azure] [--quick]
      --seed=N    the seed of the operations and the fault schedule (default 9)
      --ops=N     operations (default 400; 120 with --quick)
      --store=…   grain state and clustering: memory (one silo), redis (redis-server on PATH, the default),
                  azure (azurite-table on PATH, Orleans:AzureStorage)
      --quick     every fault kind once, 2 silos, fewer services (a smoke run)
    """, ["--quick"], new Dictionary<string, int> { ["--seed"] = 1, ["--ops"] = 1, ["--store"] = 1 });
if (commandLine.Exit is { } exit)
{
    return exit;
}

var seed = 9;
if (commandLine.Value("--seed") is { } seedText && !int.TryParse(seedText, CultureInfo.InvariantCulture, out seed))
{
    return BenchCommandLine.Fail($"bad --seed '{seedText}': expected a number");
}

int? operations = null;
if (commandLine.Value("--ops") is { } opsText)
{
    if (!int.TryParse(opsText, CultureInfo.InvariantCulture, out var o) || o <= 0)
    {
        return BenchCommandLine.Fail($"bad --ops '{opsText}': expected a positive number");
    }

    operations = o;
}

StoreKind? chosen = commandLine.Value("--store") switch
{
    null or "redis" => StoreKind.Redis,
    "memory" => StoreKind.Memory,
    "azure" => StoreKind.AzureTable,
    _ => null,
};
if (chosen is not { } store)
{
    return BenchCommandLine.Fail($"bad --store '{commandLine.Value("--store")}': expected memory, redis or azure");
}

var quick = commandLine.Has("--quick");
var settings = quick ? ChaosSettings.Quick(seed, store) : ChaosSettings.Full(seed, store);
if (operations is { } ops)
{
    settings = settings with { Operations = ops };
}

var started = Stopwatch.GetTimestamp();
void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}");

Progress($"seed {settings.Seed}, {settings.Operations} operations, store {MarkdownReport.StoreName(settings.Store)}, faults: {string.Join(", ", settings.Faults)}");
var directory = Path.Combine(Path.GetTempPath(), "erie-canal-chaos-bench", Guid.NewGuid().ToString("N"));
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(30));
ChaosResult result;
try
{
    result = await ChaosRun.RunAsync(settings, directory, Progress, deadline.Token);
}
finally
{
    try
    {
        Directory.Delete(directory, recursive: true);
    }
    catch (IOException)
    {
    }
}

Console.WriteLine(MarkdownReport.Render(result));
if (!result.Passed)
{
    await Console.Error.WriteLineAsync("FAILED: the members' ServiceImports did not converge to the oracle's");
    return 1;
}

return 0;
