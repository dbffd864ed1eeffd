using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.TestSupport.Kubectl;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The production binaries as they ship: <c>dotnet publish</c> of the silo and of the data plane carries no sandbox
/// (the embedded default has its own host, src/Embedded), and the silo without a control plane outside a pod refuses
/// to start, saying what to set and what to run instead.
/// </summary>
public sealed class ProductionBinaryTests
{
    private const string SandboxAssembly = "ErieCanal.Orleans.Sandbox";

    [Theory]
    [InlineData("src/Silo/Silo.csproj", "ErieCanal.Orleans.Silo")]
    [InlineData("src/DataPlane/DataPlane.csproj", "ErieCanal.Orleans.DataPlane")]
    public async Task Publishing_a_production_binary_leaves_the_sandbox_out(string project, string assembly)
    {
        var output = Path.Combine(Path.GetTempPath(), "erie-canal-publish", Guid.NewGuid().ToString("N"));
        try
        {
            // The real publish, from the build this test run already made (same configuration): a few seconds.
            var configuration = typeof(ProductionBinaryTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var (exitCode, text) = await RunAsync("dotnet", ["publish", Path.Combine(RepoPaths.Root, project), "-c", configuration, "--no-build", "-o", output], RepoPaths.Root);
            Assert.True(exitCode == 0, $"dotnet publish {project} exited {exitCode}: {text}");

            Assert.True(File.Exists(Path.Combine(output, $"{assembly}.dll")), $"the publish of {project} holds no {assembly}.dll: {text}");
            Assert.Empty(Directory.EnumerateFiles(output, $"{SandboxAssembly}*", SearchOption.AllDirectories));
            var deps = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, $"{assembly}.deps.json")))!;
            var libraries = deps["libraries"]!.AsObject().Select(l => l.Key).ToList();
            Assert.DoesNotContain(libraries, l => l.StartsWith(SandboxAssembly, StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_silo_without_a_control_plane_outside_a_pod_exits_naming_the_setting_and_the_embedded_command()
    {
        var directory = Directory.CreateTempSubdirectory("erie-canal-no-control-plane").FullName;
        try
        {
            var (exitCode, text) = await RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, SiloProcess.SiloAssembly)], directory, withoutControlPlane: true);

            Assert.Equal(2, exitCode);
            Assert.Contains("ErieCanal__ControlPlaneKubeconfig", text, StringComparison.Ordinal);
            Assert.Contains("dotnet run --project src/Embedded", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string workingDirectory, bool withoutControlPlane = false)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (withoutControlPlane)
        {
            start.Environment.Remove("ErieCanal__ControlPlaneKubeconfig");
            start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
