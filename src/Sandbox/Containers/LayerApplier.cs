using System.Formats.Tar;
using System.IO.Compression;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// Applies one image layer (a tar, gzip-compressed or not) onto a root filesystem, as the OCI image spec says:
/// <c>.wh.name</c> deletes <c>name</c> from the layers below, <c>.wh..wh..opq</c> empties its directory of what the
/// layers below put there; symlinks among a path's parents resolve inside the root (a layer never writes outside it).
/// </summary>
public static class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    public static void Apply(Stream layer, string rootFs)
    {
        var root = Path.GetFullPath(rootFs);
        using var data = Decompressed(layer);
        using var reader = new TarReader(data);
        var written = new HashSet<string>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is { } entry)
        {
            var relative = Clean(entry.Name);
            if (relative is null)
            {
                continue;
            }

            var fileName = Path.GetFileName(relative);
            var parent = ResolveInside(root, Path.GetDirectoryName(relative) ?? "");
            var path = Path.Combine(parent, fileName);
            if (fileName == OpaqueWhiteout)
            {
                foreach (var child in Directory.Exists(parent) ? Directory.EnumerateFileSystemEntries(parent).ToList() : [])
                {
                    if (!written.Contains(child))
                    {
                        Remove(child);
                    }
                }

                continue;
            }

            if (fileName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                Remove(Path.Combine(parent, fileName[WhiteoutPrefix.Length..]));
                continue;
            }

            Directory.CreateDirectory(parent);
            written.Add(path);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!Directory.Exists(path) || File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                    {
                        Remove(path);
                        Directory.CreateDirectory(path);
                    }

                    UnixFiles.SetMode(path, entry.Mode);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Remove(path);
                    using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                    {
                        entry.DataStream?.CopyTo(file);
                    }

                    UnixFiles.SetMode(path, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    Remove(path);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    Remove(path);
                    var linked = Clean(entry.LinkName) ?? throw new InvalidDataException($"hard link {entry.Name} points nowhere");
                    var target = Path.Combine(ResolveInside(root, Path.GetDirectoryName(linked) ?? ""), Path.GetFileName(linked));
                    if (!UnixFiles.TryLink(target, path))
                    {
                        File.Copy(target, path);
                    }

                    break;
                default:
                    // Devices and FIFOs: runc gives every container its own /dev.
                    continue;
            }

            if (entry is PosixTarEntry posix)
            {
                UnixFiles.ChangeOwner(path, posix.Uid, posix.Gid);
                if (entry.EntryType is not TarEntryType.SymbolicLink)
                {
                    // chown clears setuid/setgid bits; put the layer's mode back.
                    UnixFiles.SetMode(path, entry.Mode);
                }
            }
        }
    }

    private static Stream Decompressed(Stream layer)
    {
        var buffered = new BufferedStream(layer, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var read = buffered.Read(magic);
        buffered.Seek(-read, SeekOrigin.Current);
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(buffered, CompressionMode.Decompress) : buffered;
    }

    /// <summary>The entry's path relative to the root, or null for the root itself; ".." anywhere is refused.</summary>
    private static string? Clean(string name)
    {
        var parts = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw new InvalidDataException($"layer entry {name} leaves the root filesystem");
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <summary>A directory path under the root with every symlink on the way resolved as if the root were /.</summary>
    public static string ResolveInside(string root, string relative)
    {
        var pending = new Stack<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = new List<string>();
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (current.Count > 0)
                {
                    current.RemoveAt(current.Count - 1);
                }

                continue;
            }

            var candidate = Path.Combine(root, string.Join('/', current), part);
            var link = new FileInfo(candidate).LinkTarget;
            if (link is null)
            {
                current.Add(part);
                continue;
            }

            if (++hops > 40)
            {
                throw new InvalidDataException($"too many symlinks resolving {relative}");
            }

            if (link.StartsWith('/'))
            {
                current.Clear();
            }

            foreach (var linkPart in link.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(linkPart);
            }
        }

        return Path.Combine(root, string.Join('/', current));
    }

    private static void Remove(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists || info.LinkTarget is not null)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
