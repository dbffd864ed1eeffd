using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The real silo host (ErieCanal.Orleans.Silo.dll, next to this assembly) as a separate process against the
/// sandbox's control plane, adapted from the integration tests' launcher: killed with SIGKILL and restarted under the
/// same name and ports, as a pod would be.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public SiloProcess(string name, string controlPlaneKubeconfig, string clusterId, IReadOnlyDictionary<string, string> store)
    {
        Name = name;
        var httpPort = LocalPorts.Free();
        Api = new Uri($"http://127.0.0.1:{httpPort}/");
        _environment = new Dictionary<string, string>
        {
            ["ErieCanal__ControlPlaneKubeconfig"] = controlPlaneKubeconfig,
            ["ErieCanal__ResyncInterval"] = "00:00:02",
            ["ErieCanal__RepairInterval"] = "00:00:03",
            ["ErieCanal__ContributionRefreshInterval"] = "00:00:20",
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["Orleans__SiloName"] = name,
            ["Orleans__SiloPort"] = LocalPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = LocalPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["Http__Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Dashboard__Url"] = $"http://127.0.0.1:{LocalPorts.Free()}",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in store)
        {
            _environment[key] = value;
        }
    }

    public string Name { get; }

    public Uri Api { get; }

    public bool Running => _process is { HasExited: false };

    /// <summary>What the process printed (kept for a failure report).</summary>
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

    /// <summary>Starts the process and waits until its readiness endpoint answers.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ErieCanal.Orleans.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process?.Dispose();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"silo {Name} did not start");
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited with {process.ExitCode}: {Tail()}");
            }

            try
            {
                if ((await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"silo {Name} not ready within {timeout.TotalSeconds:F0} s: {Tail()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public string Tail(int characters = 4000)
    {
        var output = Output;
        return output.Length <= characters ? output : output[^characters..];
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
