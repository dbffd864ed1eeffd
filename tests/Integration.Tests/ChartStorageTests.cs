using System.Diagnostics;
using ErieCanal.Orleans.Sandbox.Tests.Kubectl;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The chart's store choice, rendered by the real helm: Redis by default, Azure Table storage with its connection
/// string from a Secret (never inline in the StatefulSet), and the membership tuning passed through.
/// </summary>
public sealed class ChartStorageTests
{
    private static readonly string Chart = Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans");

    [Fact]
    public async Task Azure_Table_storage_takes_its_connection_string_from_a_Secret_instead_of_Redis()
    {
        var (code, output) = await HelmAsync("template", "ec", Chart, "--namespace", "erie-canal",
            "--set", "azureStorage.secretName=erie-canal-storage", "--set", "membership.ProbeTimeout=00:00:02");
        Assert.True(code == 0, output);
        var env = SiloEnv(output);
        Assert.False(env.ContainsKey("Orleans__Redis"));
        var secret = env["Orleans__AzureStorage"].ValueFrom.SecretKeyRef;
        Assert.Equal(("erie-canal-storage", "connectionString"), (secret.Name, secret.Key));
        Assert.Null(env["Orleans__AzureStorage"].Value);
        Assert.Equal("00:00:02", env["Orleans__Membership__ProbeTimeout"].Value);

        (code, output) = await HelmAsync("lint", Chart, "--strict", "--set", "azureStorage.secretName=erie-canal-storage");
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Redis_stays_the_default_store()
    {
        var (code, output) = await HelmAsync("template", "ec", Chart);
        Assert.True(code == 0, output);
        var env = SiloEnv(output);
        Assert.Equal("redis:6379", env["Orleans__Redis"].Value);
        Assert.False(env.ContainsKey("Orleans__AzureStorage"));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Orleans__Membership__", StringComparison.Ordinal));
    }

    private static Dictionary<string, V1EnvVar> SiloEnv(string yaml) =>
        Assert.Single(KubernetesYaml.LoadAllFromString(yaml).OfType<V1StatefulSet>()).Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);

    private static async Task<(int Code, string Output)> HelmAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("HELM") ?? "helm", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("helm did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("helm is not installed or not on PATH (set HELM to its path; .ci/run installs it)", ex);
        }

        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
