using System.Diagnostics;
using System.Globalization;
using ErieCanal.Orleans.Chaos.Bench;

// The chaos benchmark: seeded creates, updates and deletes of Services, ServiceExports and GlobalTrafficPolicies and
// Deployment scales across three members, interleaved with faults (silo kill -9, store restart, member offline,
// frozen, compacted, watches dropped, control plane offline); after the last fault every member's ServiceImports and
// routing must equal what an independent oracle computes from the objects that exist. Markdown on stdout, progress on
// stderr; exit 1 on any lost or extra import or mismatch.
var seed = 9;
int? operations = null;
var store = StoreKind.Redis;
var quick = false;
foreach (var arg in args)
{
    var (name, value) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, "");
    switch (name)
    {
        case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var s):
            seed = s;
            break;
        case "--ops" when int.TryParse(value, CultureInfo.InvariantCulture, out var o) && o > 0:
            operations = o;
            break;
        case "--store" when value is "memory" or "redis" or "azure":
            store = value switch { "memory" => StoreKind.Memory, "redis" => StoreKind.Redis, _ => StoreKind.AzureTable };
            break;
        case "--quick":
            quick = true;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: chaos-bench [--seed=N] [--ops=N] [--store=memory|redis|azure] [--quick]");
            Console.WriteLine("  --seed=N    the seed of the operations and the fault schedule (default 9)");
            Console.WriteLine("  --ops=N     operations (default 400; 120 with --quick)");
            Console.WriteLine("  --store=…   grain state and clustering: memory (one silo), redis (redis-server on PATH, the default),");
            Console.WriteLine("              azure (azurite-table on PATH, Orleans:AzureStorage)");
            Console.WriteLine("  --quick     every fault kind once, 2 silos, fewer services (a smoke run)");
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown or malformed argument '{arg}' (try --help)");
            return 2;
    }
}

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
