using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// The silo as users start it (src/Silo's Program with its embedded sandbox) in a process of its own, with settings
/// a test adds, its API and dashboard on free ports, and its output kept.
/// </summary>
public sealed class EmbeddedSiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private EmbeddedSiloProcess(Process process, string directory, Uri api, Uri dashboard)
    {
        _process = process;
        _directory = directory;
        Api = api;
        Dashboard = dashboard;
    }

    public Uri Api { get; }

    public Uri Dashboard { get; }

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

    /// <summary>Starts it and waits for /readyz. <paramref name="apiHost"/>: the address the API listener binds.</summary>
    public static async Task<EmbeddedSiloProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string apiHost = "127.0.0.1")
    {
        var directory = Path.Combine(Path.GetTempPath(), "erie-canal-security-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var apiPort = LocalPorts.Free();
        var dashboard = new Uri($"http://127.0.0.1:{LocalPorts.Free()}/");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ErieCanal.Orleans.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.Environment["Embedded__Directory"] = Path.Combine(directory, "sandbox");
        start.Environment["Embedded__Members"] = "cluster-1";
        start.Environment["Orleans__SiloPort"] = LocalPorts.Free().ToString(CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = LocalPorts.Free().ToString(CultureInfo.InvariantCulture);
        start.Environment["Http__Urls"] = $"http://{apiHost}:{apiPort}";
        start.Environment["Dashboard__Url"] = dashboard.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo process did not start");
        var silo = new EmbeddedSiloProcess(process, directory, new Uri($"http://127.0.0.1:{apiPort}/"), dashboard);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new WaitAbortedException($"the silo exited: {silo.Output}");
            }

            return (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK;
        }, "the embedded silo ready", TimeSpan.FromSeconds(120));
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
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
}
