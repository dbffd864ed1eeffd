using System.Diagnostics;
using ErieCanal.Orleans.Failover.Bench;

// Failover under live traffic: three members, an ActiveActive and a FailOver service consumed from cluster-2 through
// its client-side proxy at a fixed open-loop rate, five faults played one at a time (held, healed, recovered), first
// against ErieCanal.Orleans as configured by default, then against an ErieCanal-equivalent configuration (no health
// checking, no passive ejection, retries only to FailOver standbys) on a fresh environment. Bounded in time;
// loopback only; Markdown on stdout, progress on stderr.
var commandLine = BenchCommandLine.Parse(args, """
    usage: failover-bench [--quick] [--ours-only]
      --quick      short holds and recovery waits (a smoke run, about 2 minutes)
      --ours-only  skip the ErieCanal-equivalent configuration
    """, ["--quick", "--ours-only"]);
if (commandLine.Exit is { } exit)
{
    return exit;
}

var settings = commandLine.Has("--quick") ? BenchSettings.Quick : BenchSettings.Full;
List<SystemConfiguration> configurations = commandLine.Has("--ours-only") ? [SystemConfiguration.Ours] : [SystemConfiguration.Ours, SystemConfiguration.ErieCanalEquivalent];
using var deadline = new CancellationTokenSource(settings.RunTimeout);
var token = deadline.Token;
var started = Stopwatch.GetTimestamp();
var loadBefore = LoadAverage.Read();
var directory = Path.Combine(Path.GetTempPath(), "erie-canal-failover-bench", Guid.NewGuid().ToString("N"));

void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}");

var results = new List<ConfigurationResult>();
try
{
    foreach (var configuration in configurations)
    {
        results.Add(await RunAsync(configuration, Path.Combine(directory, results.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }
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

Console.WriteLine(MarkdownReport.Render(settings, results, loadBefore, LoadAverage.Read(), Stopwatch.GetElapsedTime(started)));
if (results.FirstOrDefault(r => !r.SteadyAtEnd) is { } stuck)
{
    await Console.Error.WriteLineAsync($"FAILED: {stuck.Configuration.Name} did not return to steady routing and traffic after the last fault");
    return 1;
}

return 0;

async Task<ConfigurationResult> RunAsync(SystemConfiguration configuration, string environmentDirectory)
{
    var begun = Stopwatch.GetTimestamp();
    Progress($"{configuration.Name}: embedded environment with {string.Join(", ", FailoverTopology.Members)}");
    await using var topology = await FailoverTopology.StartAsync(configuration, environmentDirectory, settings, Progress, token);
    await using var timeline = new RoutingTimeline(topology);
    await using var load = OpenLoopLoad.Start(topology.ConsumerProxy, FailoverTopology.Services, settings.Rate, settings.RequestTimeout);
    Progress($"{configuration.Name}: load of {settings.Rate}/s through {topology.ConsumerProxy}; waiting until every exporter answers");
    var loadStart = Stopwatch.GetTimestamp();
    if (!await WaitSteadyAsync(topology, load, loadStart, settings.SetupTimeout))
    {
        throw new TimeoutException($"{configuration.Name}: the services were not answered by every exporter within {settings.SetupTimeout.TotalSeconds:F0} s");
    }

    var windows = await FaultRun.RunAsync(topology, load, timeline, settings, Progress, token);
    var steadyAtEnd = await WaitSteadyAsync(topology, load, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(30));
    await load.StopAsync(settings.RequestTimeout + TimeSpan.FromSeconds(5));
    var records = load.Records;
    var faults = FaultAnalysis.Analyse(windows, records, timeline, settings);
    Progress($"{configuration.Name}: {records.Count} requests, {records.Count(r => !r.Succeeded)} failed");
    return new ConfigurationResult(configuration, faults, records.Count, load.LateDispatches, steadyAtEnd, Stopwatch.GetElapsedTime(begun));
}

// Steady: routing as configured everywhere and each service answered by the members that serve it in steady state.
async Task<bool> WaitSteadyAsync(FailoverTopology topology, OpenLoopLoad load, long since, TimeSpan timeout)
{
    var waiting = Stopwatch.GetTimestamp();
    while (Stopwatch.GetElapsedTime(waiting) < timeout)
    {
        if (topology.SteadyRouting() && FailoverTopology.Services.Select((s, i) => (s, i)).All(x => SteadyServers(x.s).All(m => load.AnsweredSince(x.i, m, since) is not null)))
        {
            return true;
        }

        await Task.Delay(100, token);
    }

    return false;
}

// ActiveActive: every exporter; FailOver: the primary only.
static IEnumerable<string> SteadyServers(BenchService service) =>
    service.LbType == ErieCanal.Orleans.Interfaces.LbTypes.FailOver ? [service.Primary] : service.Exporters;
