using System.Runtime.InteropServices;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>The file calls .NET has no API for: ownership (a layer's files keep their owners; fsGroup volumes get theirs).</summary>
internal static partial class UnixFiles
{
    public static void ChangeOwner(string path, int uid, int gid)
    {
        if (LChown(path, uid, gid) != 0)
        {
            throw new IOException($"lchown {path} {uid}:{gid} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static void SetMode(string path, UnixFileMode mode)
    {
        // Containers exist only on Linux; the guard is for the platform analyzer.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Hard-links <paramref name="target"/> as <paramref name="path"/> (a layer's hard links stay one file).</summary>
    public static bool TryLink(string target, string path) => Link(target, path) == 0;

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string target, string path);
}
