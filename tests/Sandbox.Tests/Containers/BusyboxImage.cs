using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>
/// Writes a tiny OCI image archive without any registry: Debian's static busybox and its applets, in two layers, the
/// second of which whites out a file and makes a directory opaque (so the unpacker's whiteout rules are exercised by
/// every container the tests run), and a third layer with a dynamically linked listener and the host's glibc
/// (<see cref="GlibcListener"/>), the kind of program the sandbox's bind shim is for.
/// </summary>
public static class BusyboxImage
{
    public const string Reference = "sandbox.test/busybox:1";
    public const string BusyboxPath = "/bin/busybox";

    private static readonly string[] Applets =
    [
        "sh", "echo", "cat", "sleep", "ls", "env", "id", "nc", "httpd", "test", "true", "false", "kill", "printf", "touch",
        "mkdir", "ps", "grep", "hostname", "wget", "stat", "trap", "date", "seq", "head", "wc", "rm",
    ];

    public static string Write(string directory)
    {
        var busybox = File.Exists(BusyboxPath) ? BusyboxPath : "/usr/bin/busybox";
        if (!File.Exists(busybox))
        {
            throw new InvalidOperationException("the container tests need Debian's busybox-static (apt-get install -y busybox-static): it is the test image's only program");
        }

        Directory.CreateDirectory(directory);
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string Add(byte[] content)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
            blobs[digest] = content;
            return digest;
        }

        var first = Layer(tar =>
        {
            AddDirectory(tar, "bin", 0b111_101_101);
            AddFile(tar, "bin/busybox", File.ReadAllBytes(busybox), 0b111_101_101);
            foreach (var applet in Applets)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
            }

            AddDirectory(tar, "etc", 0b111_101_101);
            AddFile(tar, "etc/passwd", Encoding.UTF8.GetBytes("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"), 0b110_100_100);
            AddFile(tar, "etc/group", Encoding.UTF8.GetBytes("root:x:0:\napp:x:1000:\n"), 0b110_100_100);
            AddFile(tar, "etc/removed-by-whiteout", Encoding.UTF8.GetBytes("gone\n"), 0b110_100_100);
            AddDirectory(tar, "opaque", 0b111_101_101);
            AddFile(tar, "opaque/from-lower-layer", Encoding.UTF8.GetBytes("hidden\n"), 0b110_100_100);
            AddDirectory(tar, "tmp", 0b111_111_111 | (int)UnixFileMode.StickyBit);
            AddDirectory(tar, "home", 0b111_101_101);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "home/app") { Mode = (UnixFileMode)0b111_101_101, Uid = 1000, Gid = 1000 });
        });
        var second = Layer(tar =>
        {
            AddFile(tar, "etc/.wh.removed-by-whiteout", [], 0);
            AddDirectory(tar, "opaque", 0b111_101_101);
            AddFile(tar, "opaque/.wh..wh..opq", [], 0);
            AddFile(tar, "opaque/from-upper-layer", Encoding.UTF8.GetBytes("kept\n"), 0b110_100_100);
        });

        var third = Layer(tar =>
        {
            var directories = new HashSet<string>(StringComparer.Ordinal) { "bin" };
            foreach (var (path, content) in GlibcListener.Files(Path.Combine(directory, "listener")))
            {
                var parent = Path.GetDirectoryName(path) ?? "";
                var parents = new List<string>();
                for (var d = parent; d.Length > 0 && directories.Add(d); d = Path.GetDirectoryName(d) ?? "")
                {
                    parents.Insert(0, d);
                }

                foreach (var d in parents)
                {
                    AddDirectory(tar, d, 0b111_101_101);
                }

                AddFile(tar, path, content, 0b111_101_101);
            }
        });

        var config = Add(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/bin", "FROM_IMAGE=image-env"),
                ["Entrypoint"] = new JsonArray("/bin/sh", "-c"),
                ["Cmd"] = new JsonArray("echo image-cmd; exec sleep 3600"),
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
        }.ToJsonString()));
        var layers = new[] { Add(first), Add(second), Add(third) };
        var manifest = Add(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config, ["size"] = blobs[config].Length },
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip",
                ["digest"] = l,
                ["size"] = blobs[l].Length,
            }).ToArray()),
        }.ToJsonString()));
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = manifest,
                ["size"] = blobs[manifest].Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = Reference },
            }),
        };

        var path = Path.Combine(directory, "busybox.oci.tar");
        using var stream = File.Create(path);
        using var archive = new TarWriter(stream, TarEntryFormat.Pax);
        AddFile(archive, "oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"), 0b110_100_100);
        AddFile(archive, "index.json", Encoding.UTF8.GetBytes(index.ToJsonString()), 0b110_100_100);
        foreach (var (digest, content) in blobs)
        {
            AddFile(archive, $"blobs/sha256/{digest["sha256:".Length..]}", content, 0b110_100_100);
        }

        return path;
    }

    private static byte[] Layer(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            write(tar);
        }

        return buffer.ToArray();
    }

    private static void AddDirectory(TarWriter tar, string name, int mode) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)mode });

    private static void AddFile(TarWriter tar, string name, byte[] content, int mode) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)mode, DataStream = new MemoryStream(content) });
}
