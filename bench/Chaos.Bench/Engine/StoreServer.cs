using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.TestSupport;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The durable store as a real server process on 127.0.0.1: started once, restarted on the same port and data
/// directory by the StoreRestart fault. Memory has none.
/// </summary>
public abstract class StoreServer : IAsyncDisposable
{
    private Process? _process;

    protected StoreServer(string directory)
    {
        Directory.CreateDirectory(directory);
        DataDirectory = directory;
        Port = LocalPorts.Reserve();
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public abstract string Name { get; }

    /// <summary>The silo's settings that select this store (as environment variables).</summary>
    public abstract IReadOnlyDictionary<string, string> SiloEnvironment { get; }

    public static async Task<StoreServer?> StartAsync(StoreKind kind, string directory)
    {
        StoreServer? server = kind switch
        {
            StoreKind.Redis => new RedisStore(directory),
            StoreKind.AzureTable => new AzuriteStore(directory),
            _ => null,
        };
        if (server is not null)
        {
            await server.StartProcessAsync();
        }

        return server;
    }

    /// <summary>Kills the server (how, is the store's choice: see <see cref="StopAsync"/>); its data stays on disk.</summary>
    public Task KillAsync() => StopAsync();

    /// <summary>Starts the server again on the same port and data directory.</summary>
    public Task StartAgainAsync() => StartProcessAsync();

    protected abstract ProcessStartInfo StartInfo();

    protected abstract string MissingMessage { get; }

    /// <summary>SIGKILL unless a store needs a gentler stop to keep what it acknowledged.</summary>
    protected virtual async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    protected Process? Current => _process;

    private async Task StartProcessAsync()
    {
        _process?.Dispose();
        var start = StartInfo();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(MissingMessage, ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new WaitAbortedException($"{Name} exited before accepting connections");
            }

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }, $"{Name} accepting connections on {Port}", TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        GC.SuppressFinalize(this);
    }
}
