using ErieCanal.Orleans.Sandbox.Exec.Curl;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// What a simulated container can execute, by its image. Only curl exists (in curl images such as
/// <c>curlimages/curl</c>); there is deliberately no shell, so nothing can reach the host through exec.
/// </summary>
public static class ContainerImage
{
    /// <summary>The exit code of an exec whose executable does not exist (a shell's "command not found").</summary>
    public const int NotFoundExitCode = 127;

    /// <summary>The program <paramref name="executable"/> names in a container of <paramref name="image"/>, or null.</summary>
    public static IContainerProgram? Find(string image, string executable)
    {
        var name = executable.Contains('/', StringComparison.Ordinal)
            ? executable is "/usr/bin/curl" ? "curl" : null
            : executable;
        return name == "curl" && CarriesCurl(image) ? new CurlProgram() : null;
    }

    /// <summary>The message a container runtime gives when the executable is missing (written to the process's stderr).</summary>
    public static string NotFoundMessage(string executable) => executable.Contains('/', StringComparison.Ordinal)
        ? $"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{executable}\": stat {executable}: no such file or directory: unknown"
        : $"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{executable}\": executable file not found in $PATH: unknown";

    private static bool CarriesCurl(string image)
    {
        // registry/repository/name:tag@digest -> name
        var withoutDigest = image.Split('@')[0];
        var lastSegment = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        var name = lastSegment.Split(':')[0];
        return name.Contains("curl", StringComparison.OrdinalIgnoreCase);
    }
}
