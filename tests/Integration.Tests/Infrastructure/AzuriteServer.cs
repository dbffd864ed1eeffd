using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// A real Azurite Table service (<c>azurite-table</c>, the Azure Storage emulator) on 127.0.0.1 and a port from LocalPorts,
/// persisting to its own directory so it can be stopped and started again on the same data. .ci/run installs it.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The emulator's well-known development account and key (public, the same on every Azurite).</summary>
    private const string DevelopmentAccount = "devstoreaccount1";

    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location;
    private Process? _process;

    private AzuriteServer(int port, string location)
    {
        Port = port;
        _location = location;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccount};AccountKey={DevelopmentKey};TableEndpoint=http://127.0.0.1:{Port}/{DevelopmentAccount};";

    public static async Task<AzuriteServer> StartAsync()
    {
        var location = Path.Combine(Path.GetTempPath(), "erie-canal-azurite", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        var server = new AzuriteServer(LocalPorts.Reserve(), location);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("azurite-table",
            ["--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _location, "--silent", "--skipApiVersionCheck"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("azurite-table did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("azurite-table is not on PATH (npm install -g azurite@3.37.0; .ci/run does this)", ex);
        }

        var process = _process;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new WaitAbortedException($"azurite-table exited with {process.ExitCode}");
            }

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }, "azurite-table accepting connections", TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the server (its data directory stays for <see cref="StartAgainAsync"/>).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
