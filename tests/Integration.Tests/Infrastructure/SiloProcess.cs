using System.Diagnostics;
using System.Net;
using System.Text;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>The real silo host (src/Silo) as a separate process, configured through environment variables.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, string name, Uri api)
    {
        _process = process;
        Name = name;
        Api = api;
    }

    public string Name { get; }

    public Uri Api { get; }

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

    /// <summary>A silo on Redis (grain state and clustering).</summary>
    public static Task<SiloProcess> StartAsync(string name, string region, string controlPlaneKubeconfig, string redis, string clusterId) =>
        StartAsync(name, region, controlPlaneKubeconfig, clusterId, new Dictionary<string, string> { ["Orleans__Redis"] = redis });

    /// <summary>
    /// A silo whose store (and anything else) comes from <paramref name="settings"/>, environment-variable style, e.g.
    /// <c>Orleans__AzureStorage</c>; they override the defaults below.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string name, string region, string controlPlaneKubeconfig, string clusterId, IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = LocalPorts.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ErieCanal.Orleans.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        var environment = new Dictionary<string, string>
        {
            ["ErieCanal__ControlPlaneKubeconfig"] = controlPlaneKubeconfig,
            ["ErieCanal__Region"] = region,
            ["ErieCanal__ResyncInterval"] = "00:00:02",
            ["ErieCanal__RepairInterval"] = "00:00:03",
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["Orleans__SiloName"] = name,
            ["Orleans__SiloPort"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Http__Urls"] = $"http://127.0.0.1:{httpPort}",
            // Each silo on one host needs its own dashboard listener, like its own API port.
            ["Dashboard__Url"] = $"http://127.0.0.1:{LocalPorts.Free()}",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo process did not start");
        var silo = new SiloProcess(process, name, new Uri($"http://127.0.0.1:{httpPort}/"));
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new WaitAbortedException($"silo {name} exited: {silo.Output}");
            }

            return (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK;
        }, $"silo process {name} ready", TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>The silo process's id, as the operating system knows it.</summary>
    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL (kill -9): the silo gets no chance to leave the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Kills the process and waits until the operating system has reaped it.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
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
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
