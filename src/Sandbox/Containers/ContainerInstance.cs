using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// One run of one container: its bundle (config.json, and a root filesystem that is an overlay of the unpacked
/// image, so every run starts from the image and writes nothing into it), the <c>runc run</c> process that lives as
/// long as the container does, and its log file. A restart is a new instance, as on a real node.
/// </summary>
public sealed class ContainerInstance
{
    private readonly Runc _runc;
    private readonly string _bundle;

    private ContainerInstance(Runc runc, string id, string bundle, string logPath)
    {
        _runc = runc;
        Id = id;
        _bundle = bundle;
        LogPath = logPath;
    }

    public string Id { get; }

    public string LogPath { get; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Whether the container's process never started (runc could not create or exec it): the kubelet's StartError.</summary>
    public bool StartFailed { get; private set; }

    /// <summary>Completes with the container's exit code (128 + signal when a signal ended it) once it has exited and its bundle is gone.</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    public static async Task<ContainerInstance> StartAsync(Runc runc, string id, string bundle, string imageRootFs, JsonObject spec, string logPath)
    {
        var instance = new ContainerInstance(runc, id, bundle, logPath);
        var rootFs = Path.Combine(bundle, "rootfs");
        foreach (var directory in new[] { rootFs, Path.Combine(bundle, "upper"), Path.Combine(bundle, "work") })
        {
            Directory.CreateDirectory(directory);
        }

        await MountOverlayAsync(imageRootFs, bundle, rootFs);
        spec["root"]!["path"] = rootFs;
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), spec.ToJsonString());
        var log = new ContainerLogWriter(logPath);
        Process process;
        try
        {
            process = runc.Run(id, bundle, Path.Combine(bundle, "pid"));
        }
        catch
        {
            log.Dispose();
            await UnmountAsync(rootFs);
            throw;
        }

        instance.StartedAt = DateTimeOffset.UtcNow;
        instance.Exited = instance.WatchAsync(process, log, rootFs);
        return instance;
    }

    public Task SignalAsync(string signal) => _runc.KillAsync(Id, signal);

    private async Task<int> WatchAsync(Process process, ContainerLogWriter log, string rootFs)
    {
        try
        {
            await Task.WhenAll(
                log.PumpAsync(process.StandardOutput.BaseStream, "stdout"),
                log.PumpAsync(process.StandardError.BaseStream, "stderr"),
                process.WaitForExitAsync());
            return process.ExitCode;
        }
        finally
        {
            FinishedAt = DateTimeOffset.UtcNow;
            StartFailed = !File.Exists(Path.Combine(_bundle, "pid"));
            process.Dispose();
            log.Dispose();
            await _runc.DeleteAsync(Id);
            await UnmountAsync(rootFs);
            try
            {
                Directory.Delete(_bundle, recursive: true);
            }
            catch (IOException)
            {
                // Left for the sandbox's final cleanup.
            }
        }
    }

    private static async Task MountOverlayAsync(string lower, string bundle, string target)
    {
        var options = $"lowerdir={lower},upperdir={Path.Combine(bundle, "upper")},workdir={Path.Combine(bundle, "work")}";
        if (await RunAsync("mount", "-t", "overlay", "overlay", "-o", options, target) is { Length: > 0 } error)
        {
            throw new IOException($"cannot mount the container's root filesystem: {error}");
        }
    }

    public static async Task UnmountAsync(string target) => await RunAsync("umount", "-l", target);

    /// <summary>Runs a mount tool; returns its error output when it failed, empty when it succeeded.</summary>
    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        using var process = new Process { StartInfo = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false } };
        foreach (var arg in args)
        {
            process.StartInfo.ArgumentList.Add(arg);
        }

        process.Start();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? "" : (await stderr).Trim() is { Length: > 0 } text ? text : $"{tool} exited {process.ExitCode}";
    }
}
