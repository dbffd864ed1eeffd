using System.Diagnostics;
using System.Globalization;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// Azurite's table endpoint (<c>azurite-table</c> from the npm package, on PATH) persisting to a directory, with the
/// emulator's well-known development account. Azurite writes its database on a timer, so it is stopped with SIGTERM
/// (it saves, then exits) rather than SIGKILL: a restart must not lose what the emulator acknowledged.
/// </summary>
public sealed class AzuriteStore(string directory) : StoreServer(directory)
{
    // The emulator's published development account (not a secret).
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public override string Name => "azurite-table";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public override IReadOnlyDictionary<string, string> SiloEnvironment =>
        new Dictionary<string, string> { ["Orleans__AzureStorage"] = ConnectionString };

    protected override string MissingMessage => "azurite-table is not on PATH (npm install -g azurite@3.37.0; .ci/run does this)";

    protected override ProcessStartInfo StartInfo() => new("azurite-table",
    [
        "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(CultureInfo.InvariantCulture), "--location", DataDirectory,
        "--skipApiVersionCheck",
    ]);

    protected override async Task StopAsync()
    {
        if (Current is { HasExited: false } process)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
