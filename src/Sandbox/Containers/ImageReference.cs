namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// Image names compared as a container runtime does: <c>busybox</c>, <c>busybox:latest</c> and
/// <c>docker.io/library/busybox:latest</c> are one image.
/// </summary>
public static class ImageReference
{
    public static string Normalize(string image)
    {
        var name = image.Trim();
        var digestAt = name.IndexOf('@', StringComparison.Ordinal);
        var digest = digestAt >= 0 ? name[digestAt..] : "";
        name = digestAt >= 0 ? name[..digestAt] : name;
        var lastSlash = name.LastIndexOf('/');
        if (digest.Length == 0 && name.IndexOf(':', lastSlash + 1) < 0)
        {
            name += ":latest";
        }

        if (name.StartsWith("docker.io/", StringComparison.Ordinal))
        {
            name = name["docker.io/".Length..];
        }

        if (name.StartsWith("library/", StringComparison.Ordinal))
        {
            name = name["library/".Length..];
        }

        return name + digest;
    }
}
