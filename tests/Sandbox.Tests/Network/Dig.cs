using System.Diagnostics;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>Asks a sandbox cluster's DNS an A question with the real dig.</summary>
internal static class Dig
{
    public static async Task<DigAnswer> AskAsync(SandboxCluster cluster, string name)
    {
        var dns = cluster.Dns ?? throw new InvalidOperationException("the cluster DNS did not start");
        var start = new ProcessStartInfo("dig")
        {
            ArgumentList = { $"@{dns.Address}", name, "A", "+tries=1", "+time=5", "+noall", "+comments", "+answer" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dig did not start (install dnsutils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return DigAnswer.Parse(output);
    }
}
