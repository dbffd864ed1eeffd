using System.Diagnostics;
using System.Net;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The silo as users start it (the embedded default, src/Embedded, a separate process): <c>/metrics</c> on
/// its API listener, and the Orleans Dashboard on its own loopback listener, loaded in a real headless browser
/// (Debian's chromium; .ci/run installs it) with the screenshot kept as a test artifact.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SiloProcess _silo = null!;
    private Uri _api = null!;
    private Uri _dashboard = null!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartEmbeddedAsync(new Dictionary<string, string>(), members: "cluster-1,cluster-2");
        _api = _silo.Api;
        _dashboard = _silo.Dashboard;
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

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

    /// <summary>
    /// Debian's chromium, headless; the test installs nothing (.ci/run does). Each run gets a profile of its own: with
    /// the shared default one, a run that finds another's profile lock (one still exiting, or killed at its timeout)
    /// hands its page to that process and exits 0 with no output. /dev/shm is small in containers, hence no use of it.
    /// </summary>
    private static async Task<string> ChromiumAsync(params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("erie-canal-chromium-");
        try
        {
            var output = await RunChromiumAsync(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                $"--user-data-dir={profile.FullName}", "--virtual-time-budget=10000", .. arguments]);

            // Nothing on stdout is a failed render: what chromium said goes into the wait's report.
            return output.Stdout.Length > 0 || !arguments.Contains("--dump-dom") ? output.Stdout : $"(no DOM; chromium said: {output.Stderr.Trim()})";
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file for a moment; the temp directory is the OS's to clean.
            }
        }
    }

    private static async Task<(string Stdout, string Stderr)> RunChromiumAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("chromium", arguments)
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

            return chromium.ExitCode == 0 ? (await stdout, await stderr) : throw new InvalidOperationException($"chromium exited {chromium.ExitCode}: {await stderr}");
        }
    }
}
