using System.Diagnostics;
using ErieCanal.Orleans.DataPlane.Bench;

// The data plane against its floor, in one run: GET http://httpbin.httpbin:8080/ from cluster-2 through its
// client-side proxy → cluster-1's gateway address → gateway → an httpbin pod, and the same GET straight to a pod.
// Paced (open loop) and flat out (closed loop). Bounded in count and time; loopback only; Markdown on stdout.
var commandLine = BenchCommandLine.Parse(args, """
    usage: data-plane-bench [--quick] [--tcp] [--hops] [--relay] [--soak <path> <seconds>]
      --quick  a smoke run of a few seconds
      --tcp    only the TCP measurement (through the tunnel against straight to the pod)
      --hops   also measure the parts of the path (a bare relay, the gateway alone, gateway address + gateway, proxy → pods, proxy → the gateway's own port)
      --relay  the gateway address relays to the gateway over TCP (as before) instead of handing connections over
      --soak   only load one path flat out (16 clients) for a profiler to attach: floor, system, a word of a hop's name,
               or tcp-floor / tcp-tunnel (the TCP measurement's bulk transfer)
    """, ["--quick", "--tcp", "--hops", "--relay"], new Dictionary<string, int> { ["--soak"] = 2 });
if (commandLine.Exit is { } exit)
{
    return exit;
}

var settings = commandLine.Has("--quick") ? BenchSettings.Quick : BenchSettings.Full;
var hops = commandLine.Has("--hops");
var relay = commandLine.Has("--relay");
string? soakPath = null;
var soak = TimeSpan.Zero;
if (commandLine.Values("--soak") is [var soakName, var secondsText])
{
    if (!int.TryParse(secondsText, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
    {
        return BenchCommandLine.Fail($"bad --soak seconds '{secondsText}': expected a positive number");
    }

    soakPath = soakName;
    soak = TimeSpan.FromSeconds(seconds);
}

settings = settings with { Hops = hops, Relay = relay };
using var deadline = new CancellationTokenSource(settings.RunTimeout);
var token = deadline.Token;
var started = Stopwatch.GetTimestamp();
var loadBefore = LoadAverage.Read();

void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}");

Progress($"sandbox with {BenchTopology.Exporter} and {BenchTopology.Consumer} (no silo, no control plane); load average {loadBefore}");
await using var topology = await BenchTopology.StartAsync(settings.Hops, settings.Relay, settings.SetupTimeout, Progress, token);
var paths = topology.Paths(settings.Hops, settings.RequestTimeout);
try
{
    await BenchTopology.WaitUntilRoutedAsync(paths, settings.SetupTimeout, token);
    Progress($"every path answered by a pod: {string.Join("; ", paths.Select(p => p.Name))}");

    // JIT tiering, connection pools and the gateway's and proxy's route caches reach their steady state; not reported.
    if (soakPath is not null)
    {
        return soakPath.StartsWith("tcp-", StringComparison.Ordinal)
            ? await SoakTcpAsync(soakPath == "tcp-tunnel", soak, token)
            : await SoakAsync(paths, soakPath, soak, token);
    }

    if (commandLine.Has("--tcp"))
    {
        await RunTcpAsync(token);
        return 0;
    }

    foreach (var path in paths)
    {
        Progress($"warm-up: flat out on {path.Name}");
        await FlatOutLoad.RunAsync(path, 16, settings.WarmUp * 2, token);
    }

    var drain = settings.RequestTimeout + TimeSpan.FromSeconds(5);
    List<Scenario> scenarios =
    [
        new($"paced-{settings.PacedRate}", (path, duration, ct) => PacedLoad.RunAsync(path, settings.PacedRate, duration, drain, ct), settings.PacedDuration),
        .. settings.FlatOutConcurrency.Select(c => new Scenario($"flat-out-c{c}", (path, duration, ct) => FlatOutLoad.RunAsync(path, c, duration, ct), settings.FlatOutDuration)),
    ];

    var results = new List<PathResult>();
    foreach (var scenario in scenarios)
    {
        results.AddRange(await scenario.RunAsync(paths, settings, Progress, token));
    }

    Console.WriteLine(MarkdownReport.Render(settings, results, loadBefore, LoadAverage.Read(), Stopwatch.GetElapsedTime(started)));

    await RunTcpAsync(token);
    var failures = results.Sum(r => r.Failures);
    if (failures > 0)
    {
        await Console.Error.WriteLineAsync($"FAILED: {failures} requests were not answered by a pod");
        return 1;
    }

    return 0;
}
finally
{
    foreach (var path in paths)
    {
        path.Dispose();
    }
}

// TCP across clusters: through the proxy's listener and a tunnel, against straight to the pod.
async Task RunTcpAsync(CancellationToken cancellationToken)
{
    Progress("tcp: the bulk pod, its export and the proxy's listener");
    await using var tcp = await topology.StartTcpAsync(cancellationToken);
    Progress($"tcp: floor {tcp.Pod}, tunnel through listener {tcp.Listener}");
    Console.WriteLine(await tcp.RunAsync(settings.FlatOutDuration, cancellationToken));
}

// A profiler's target: TCP bulk transfer on one path for a while.
async Task<int> SoakTcpAsync(bool tunnel, TimeSpan duration, CancellationToken cancellationToken)
{
    await using var tcp = await topology.StartTcpAsync(cancellationToken);
    Progress($"soak: process {Environment.ProcessId}, TCP bulk {(tunnel ? "through the tunnel" : "straight to the pod")} for {duration.TotalSeconds:F0} s");
    var (bytes, seconds, cpu) = await tcp.BulkAsync(tunnel ? tcp.Listener : tcp.Pod, duration, cancellationToken);
    Console.WriteLine($"{(tunnel ? "tunnel" : "floor")}: {bytes / 1e6 / seconds:F0} MB/s, {cpu * 1000 / (bytes / 1e6):F2} CPU ms/MB");
    return 0;
}

// A profiler's target: one path flat out for a while, the process id on stderr, requests/s and CPU per request at the end.
async Task<int> SoakAsync(IReadOnlyList<RequestPath> all, string which, TimeSpan duration, CancellationToken cancellationToken)
{
    var path = all.FirstOrDefault(p => p.Name.StartsWith(which + ":", StringComparison.Ordinal))
        ?? all.FirstOrDefault(p => p.Name.Contains(which, StringComparison.Ordinal));
    if (path is null)
    {
        await Console.Error.WriteLineAsync($"no path matches '{which}': {string.Join("; ", all.Select(p => p.Name))}");
        return 2;
    }

    Progress($"soak: process {Environment.ProcessId}, {path.Name} flat out (c16) for {duration.TotalSeconds:F0} s");
    var segment = await FlatOutLoad.RunAsync(path, 16, duration, cancellationToken);
    Console.WriteLine($"{path.Name}: {segment.Requests / segment.Elapsed.TotalSeconds:F0} req/s, {segment.ProcessCpu.TotalMicroseconds / Math.Max(segment.Requests, 1):F0} CPU µs/req, {segment.Failures} failures");
    return segment.Failures > 0 ? 1 : 0;
}
