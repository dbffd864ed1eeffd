using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The chart's store choice, rendered by the real helm: Redis by default, Azure Table storage with its connection
/// string from a Secret (never inline in the StatefulSet), and the membership tuning passed through.
/// </summary>
public sealed class ChartStorageTests
{
    [Fact]
    public async Task Azure_Table_storage_takes_its_connection_string_from_a_Secret_instead_of_Redis()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart, "--namespace", "erie-canal",
            "--set", "azureStorage.secretName=erie-canal-storage", "--set", "membership.ProbeTimeout=00:00:02");
        Assert.True(code == 0, output);
        var env = Helm.SiloEnv(output);
        Assert.False(env.ContainsKey("Orleans__Redis"));
        var secret = env["Orleans__AzureStorage"].ValueFrom.SecretKeyRef;
        Assert.Equal(("erie-canal-storage", "connectionString"), (secret.Name, secret.Key));
        Assert.Null(env["Orleans__AzureStorage"].Value);
        Assert.Equal("00:00:02", env["Orleans__Membership__ProbeTimeout"].Value);

        (code, output) = await Helm.RunAsync("lint", Helm.Chart, "--strict", "--set", "azureStorage.secretName=erie-canal-storage");
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Redis_stays_the_default_store()
    {
        var (code, output) = await Helm.RunAsync("template", "ec", Helm.Chart);
        Assert.True(code == 0, output);
        var env = Helm.SiloEnv(output);
        Assert.Equal("redis:6379", env["Orleans__Redis"].Value);
        Assert.False(env.ContainsKey("Orleans__AzureStorage"));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Orleans__Membership__", StringComparison.Ordinal));
    }
}
