namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// An image the sandbox is given as an OCI archive (what <c>buildah push ... oci-archive:</c> writes). Pods whose
/// containers name it run as real runc containers; <paramref name="Reference"/> null means "the name the archive's
/// index carries" (<c>io.containerd.image.name</c>, else <c>org.opencontainers.image.ref.name</c>).
/// </summary>
public sealed record GivenImage(string? Reference, string ArchivePath)
{
    /// <summary>Parses the command line's <c>name:tag=path.oci.tar</c> (or just <c>path.oci.tar</c>).</summary>
    public static GivenImage Parse(string value)
    {
        var at = value.LastIndexOf('=');
        return at <= 0 ? new GivenImage(null, value) : new GivenImage(value[..at], value[(at + 1)..]);
    }
}
