using System.Diagnostics;
using System.Net;
using System.Text;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The silo as users start it (src/Silo's Program, the embedded default, a separate process): <c>/metrics</c> on
/// its API listener, and the Orleans Dashboard on its own loopback listener, loaded in a real headless browser
/// (Debian's chromium; .ci/run installs it) with the screenshot kept as a test artifact.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-dashboard-tests", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private Process _silo = null!;
    private Uri _api = null!;
    private Uri _dashboard = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _api = new Uri($"http://127.0.0.1:{LocalPorts.Free()}/");
        _dashboard = new Uri($"http://127.0.0.1:{LocalPorts.Free()}/");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ErieCanal.Orleans.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.Environment["Embedded__Directory"] = Path.Combine(_directory, "sandbox");
        start.Environment["Embedded__Members"] = "cluster-1,cluster-2";
        start.Environment["Orleans__SiloPort"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Http__Urls"] = _api.ToString().TrimEnd('/');
        start.Environment["Dashboard__Url"] = _dashboard.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _silo = Process.Start(start) ?? throw new InvalidOperationException("the silo process did not start");
        _silo.OutputDataReceived += (_, e) => Append(e.Data);
        _silo.ErrorDataReceived += (_, e) => Append(e.Data);
        _silo.BeginOutputReadLine();
        _silo.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = _api, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (_silo.HasExited)
            {
                throw new WaitAbortedException($"the silo exited: {Log()}");
            }

            return (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK;
        }, "the embedded silo ready", TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        if (!_silo.HasExited)
        {
            _silo.Kill(entireProcessTree: true);
            await _silo.WaitForExitAsync();
        }

        _silo.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task The_silo_serves_metrics_on_its_API_port_with_every_member_s_health()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var samples = await Eventually.Until(() => PrometheusScrape.GetAsync(http, new Uri(_api, "metrics")),
            s => s.Count(x => x.Name == "eriecanal_member_healthy") == 2, "both members' health on /metrics", TimeSpan.FromSeconds(90));
        Assert.All(samples.Where(s => s.Name == "eriecanal_member_healthy"), s => Assert.StartsWith("default/default/default/cluster-", s.Labels["member"], StringComparison.Ordinal));
        var text = await http.GetStringAsync(new Uri(_api, "metrics"));
        Assert.Contains("# TYPE eriecanal_member_healthy gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_loads_in_a_headless_browser_on_its_own_loopback_listener_only()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(_dashboard)).StatusCode);

        // Not through the API listener, even with the dashboard's Host header.
        using var forged = new HttpRequestMessage(HttpMethod.Get, _api);
        forged.Headers.Host = $"127.0.0.1:{_dashboard.Port}";
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(forged)).StatusCode);

        var artifacts = Environment.GetEnvironmentVariable("TEST_ARTIFACTS") is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "orleans-dashboard.png");
        File.Delete(screenshot);

        // The page renders its overview from the silo's data (script-built, so a dumped DOM with it proves rendering).
        var dom = await Eventually.Until(() => ChromiumAsync("--dump-dom", _dashboard.ToString()),
            d => d.Contains("Orleans Dashboard", StringComparison.Ordinal) && d.Contains("Total activations", StringComparison.OrdinalIgnoreCase) && d.Contains("Active silos", StringComparison.OrdinalIgnoreCase),
            "the dashboard's overview rendered in chromium", TimeSpan.FromSeconds(120));
        Assert.Contains("Grains", dom, StringComparison.Ordinal);

        await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1280,800", _dashboard.ToString());
        output.WriteLine($"dashboard screenshot: {screenshot}");
        Console.WriteLine($"dashboard screenshot: {screenshot}");
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"a screenshot of {png.Length} bytes is too small to show a page");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    /// <summary>Debian's chromium, headless; the test installs nothing (.ci/run does).</summary>
    private static async Task<string> ChromiumAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process chromium;
        try
        {
            chromium = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("chromium is not installed (.ci/run installs Debian's chromium)", ex);
        }

        using (chromium)
        {
            var stdout = chromium.StandardOutput.ReadToEndAsync();
            var stderr = chromium.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await chromium.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish: {await stderr}");
            }

            return chromium.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"chromium exited {chromium.ExitCode}: {await stderr}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
