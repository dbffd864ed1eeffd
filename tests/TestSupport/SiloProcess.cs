using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// The one launcher of silo processes for tests and benchmarks: the production silo
/// (<c>ErieCanal.Orleans.Silo.dll</c>, against a given control plane) or the embedded default
/// (<c>ErieCanal.Orleans.Embedded.dll</c>, its own sandbox), next to the calling assembly, configured by environment
/// variables. Its API binds port 0 and the process reports the port it got; the Orleans and dashboard ports come from
/// <see cref="LocalPorts"/> and stay the same when it is started again after a kill, as a pod's would.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    public const string SiloAssembly = "ErieCanal.Orleans.Silo.dll";
    public const string EmbeddedAssembly = "ErieCanal.Orleans.Embedded.dll";

    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly string _assembly;
    private readonly Dictionary<string, string> _environment;
    private readonly string _workingDirectory;
    private readonly bool _ownsWorkingDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Uri? _api;

    private SiloProcess(string name, string assembly, Dictionary<string, string> environment, string workingDirectory, bool ownsWorkingDirectory)
    {
        Name = name;
        _assembly = assembly;
        _environment = environment;
        _workingDirectory = workingDirectory;
        _ownsWorkingDirectory = ownsWorkingDirectory;
        Dashboard = new Uri(environment["Dashboard__Url"].TrimEnd('/') + "/");
    }

    public string Name { get; }

    /// <summary>The API as the running process bound it (known once it started).</summary>
    public Uri Api => _api ?? throw new InvalidOperationException($"silo {Name} has not reported its API address yet");

    /// <summary>The dashboard's own listener.</summary>
    public Uri Dashboard { get; }

    /// <summary>The process's id, as the operating system knows it.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"silo {Name} has not started");

    public bool HasExited => _process is null or { HasExited: true };

    public bool Running => !HasExited;

    /// <summary>What the process printed, over every start (kept for a failure report).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// A production silo against <paramref name="controlPlaneKubeconfig"/>, with fast resync and repair; the store
    /// (e.g. <c>Orleans__Redis</c>) and anything else come from <paramref name="settings"/>, which override the defaults.
    /// </summary>
    public static SiloProcess Create(string name, string region, string controlPlaneKubeconfig, string clusterId, IReadOnlyDictionary<string, string> settings)
    {
        var environment = Defaults();
        environment["ErieCanal__ControlPlaneKubeconfig"] = controlPlaneKubeconfig;
        environment["ErieCanal__Region"] = region;
        environment["ErieCanal__ResyncInterval"] = "00:00:02";
        environment["ErieCanal__RepairInterval"] = "00:00:03";
        environment["Orleans__ClusterId"] = clusterId;
        environment["Orleans__ServiceId"] = clusterId;
        environment["Orleans__SiloName"] = name;
        return new SiloProcess(name, SiloAssembly, Override(environment, settings), AppContext.BaseDirectory, ownsWorkingDirectory: false);
    }

    /// <summary>Starts a production silo (see <see cref="Create"/>) and waits until it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(string name, string region, string controlPlaneKubeconfig, string clusterId, IReadOnlyDictionary<string, string> settings)
    {
        var silo = Create(name, region, controlPlaneKubeconfig, clusterId, settings);
        await silo.StartOrDisposeAsync();
        return silo;
    }

    /// <summary>
    /// The embedded default as users start it (<c>dotnet run --project src/Embedded</c>): its sandbox with
    /// <paramref name="members"/>, in a directory of its own that is deleted with it; waits until it is ready.
    /// </summary>
    public static async Task<SiloProcess> StartEmbeddedAsync(IReadOnlyDictionary<string, string> settings, string members = "cluster-1")
    {
        var directory = Path.Combine(Path.GetTempPath(), "erie-canal-embedded", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var environment = Defaults();
        environment["Embedded__Directory"] = Path.Combine(directory, "sandbox");
        environment["Embedded__Members"] = members;
        var silo = new SiloProcess("embedded", EmbeddedAssembly, Override(environment, settings), directory, ownsWorkingDirectory: true);
        await silo.StartOrDisposeAsync();
        return silo;
    }

    /// <summary>
    /// Starts the process (again, after a kill: same name and ports) and waits until /readyz answers, or with
    /// <paramref name="untilReady"/> false only until /healthz does (the API is up, readiness aside).
    /// </summary>
    public async Task StartAsync(TimeSpan? timeout = null, bool untilReady = true)
    {
        if (Running)
        {
            throw new InvalidOperationException($"silo {Name} is running already");
        }

        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, _assembly)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _workingDirectory,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process?.Dispose();
        _api = null;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"silo {Name} did not start");
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new WaitAbortedException($"silo {Name} exited with {process.ExitCode}: {Tail()}");
            }

            return _api is { } api && (await http.GetAsync(new Uri(api, untilReady ? "readyz" : "healthz"))).StatusCode == HttpStatusCode.OK;
        }, untilReady ? $"silo {Name} ready" : $"silo {Name} serving its API", timeout ?? DefaultReadyTimeout);
    }

    /// <summary>
    /// SIGTERM, as the kubelet sends it when a pod is deleted, then waits up to <paramref name="bound"/> for the process
    /// to exit; its exit code, or null when it is still running then.
    /// </summary>
    public async Task<int?> TerminateAsync(TimeSpan bound)
    {
        if (_process is not { HasExited: false } process)
        {
            throw new InvalidOperationException($"silo {Name} is not running");
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) ?? throw new InvalidOperationException("kill did not start"))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>SIGKILL (kill -9): the silo gets no chance to leave the cluster.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the process and waits until the operating system has reaped it.</summary>
    public async Task KillAsync()
    {
        Kill();
        if (_process is { } process)
        {
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The end of <see cref="Output"/>.</summary>
    public string Tail(int characters = 4000)
    {
        var output = Output;
        return output.Length <= characters ? output : output[^characters..];
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_ownsWorkingDirectory)
        {
            try
            {
                Directory.Delete(_workingDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Dictionary<string, string> Defaults() => new()
    {
        ["Orleans__SiloPort"] = LocalPorts.Reserve().ToString(CultureInfo.InvariantCulture),
        ["Orleans__GatewayPort"] = LocalPorts.Reserve().ToString(CultureInfo.InvariantCulture),
        ["Http__Urls"] = "http://127.0.0.1:0",
        // Each silo on one host needs its own dashboard listener; its pages are routed by that port, so it is fixed.
        ["Dashboard__Url"] = $"http://127.0.0.1:{LocalPorts.Reserve()}",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static Dictionary<string, string> Override(Dictionary<string, string> environment, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    private async Task StartOrDisposeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_api is null && RunningLine().Match(line) is { Success: true } running)
        {
            // A listener on every interface is reached on loopback: tests talk only to 127.0.0.1.
            var bound = new Uri(running.Groups["url"].Value);
            _api = new UriBuilder(bound) { Host = "127.0.0.1", Path = "/" }.Uri;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The silo's "is running" line (SiloApp.RunningLine) with its first API address.</summary>
    [GeneratedRegex(@"ErieCanal\.Orleans silo is running; API on (?<url>https?://[^ ,]+)")]
    private static partial Regex RunningLine();
}
