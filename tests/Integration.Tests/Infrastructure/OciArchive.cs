using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// An image archive (oci-archive: a tar of an OCI image layout) read as a container runtime reads it: the index's
/// manifest named by <c>org.opencontainers.image.ref.name</c>, its config and its layers, every blob checked
/// against its digest and size; and unpacked into a root filesystem, layer over layer.
/// </summary>
public sealed class OciArchive : IDisposable
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly string _layout;

    private OciArchive(string layout, JsonObject layoutFile, JsonObject index, JsonObject manifest, JsonObject config, IReadOnlyList<OciLayer> layers)
    {
        _layout = layout;
        LayoutFile = layoutFile;
        Index = index;
        Manifest = manifest;
        Config = config;
        Layers = layers;
    }

    /// <summary>The layout's oci-layout file.</summary>
    public JsonObject LayoutFile { get; }

    public JsonObject Index { get; }

    public JsonObject Manifest { get; }

    /// <summary>The image configuration (its <c>config</c> holds User, Env, Entrypoint, WorkingDir, Labels).</summary>
    public JsonObject Config { get; }

    public IReadOnlyList<OciLayer> Layers { get; }

    public JsonObject ImageConfig => Config["config"]!.AsObject();

    public IReadOnlyDictionary<string, string> Labels =>
        ImageConfig["Labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    public static async Task<OciArchive> OpenAsync(string archive, string reference)
    {
        var layout = Directory.CreateTempSubdirectory("erie-canal-oci-layout").FullName;
        try
        {
            await TarFile.ExtractToDirectoryAsync(archive, layout, overwriteFiles: false);
            var layoutFile = await ReadJsonAsync(Path.Combine(layout, "oci-layout"));
            var index = await ReadJsonAsync(Path.Combine(layout, "index.json"));
            var descriptors = index["manifests"]!.AsArray().Select(m => m!.AsObject()).ToList();
            var named = descriptors.Where(m => m["annotations"]?[RefNameAnnotation]?.GetValue<string>() == reference).ToList();
            if (named.Count != 1)
            {
                var names = string.Join(", ", descriptors.Select(m => m["annotations"]?[RefNameAnnotation]?.GetValue<string>() ?? "(unnamed)"));
                throw new InvalidDataException($"{archive} names {names}, not exactly one {reference}");
            }

            var manifest = JsonNode.Parse(await ReadBlobAsync(layout, named[0]))!.AsObject();
            var config = JsonNode.Parse(await ReadBlobAsync(layout, manifest["config"]!.AsObject()))!.AsObject();
            var layers = new List<OciLayer>();
            foreach (var descriptor in manifest["layers"]!.AsArray().Select(l => l!.AsObject()))
            {
                var path = await VerifyBlobAsync(layout, descriptor);
                layers.Add(new OciLayer(path, descriptor["mediaType"]!.GetValue<string>()));
            }

            return new OciArchive(layout, layoutFile, index, manifest, config, layers);
        }
        catch
        {
            Directory.Delete(layout, recursive: true);
            throw;
        }
    }

    /// <summary>Every path in every layer, as the layer's tar names it (without a leading "./").</summary>
    public IEnumerable<string> Paths() => Layers.SelectMany(l => l.Entries());

    /// <summary>
    /// Unpacks the layers in order into <paramref name="rootfs"/> with the system's tar (as root it keeps owners and
    /// modes), applying whiteouts: <c>.wh.NAME</c> deletes NAME from the layers below, <c>.wh..wh..opq</c> empties its directory.
    /// </summary>
    public async Task UnpackAsync(string rootfs)
    {
        Directory.CreateDirectory(rootfs);
        foreach (var layer in Layers)
        {
            foreach (var entry in layer.Entries())
            {
                var name = Path.GetFileName(entry.TrimEnd('/'));
                if (!name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    continue;
                }

                var parent = Path.Combine(rootfs, Path.GetDirectoryName(entry.TrimEnd('/')) ?? "");
                if (name == ".wh..wh..opq")
                {
                    foreach (var child in Directory.Exists(parent) ? Directory.EnumerateFileSystemEntries(parent) : [])
                    {
                        Delete(child);
                    }
                }
                else
                {
                    Delete(Path.Combine(parent, name[".wh.".Length..]));
                }
            }

            var gzip = layer.MediaType.EndsWith("+gzip", StringComparison.Ordinal);
            await RunTarAsync([gzip ? "-xzf" : "-xf", layer.Path, "-C", rootfs, "--numeric-owner", "--same-permissions", "--same-owner", "--exclude=.wh.*"]);
        }
    }

    public void Dispose() => Directory.Delete(_layout, recursive: true);

    private static void Delete(string path)
    {
        if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private static async Task RunTarAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("tar", arguments) { RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tar did not start");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tar {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await errors}");
        }
    }

    private static async Task<JsonObject> ReadJsonAsync(string path) => JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();

    private static async Task<byte[]> ReadBlobAsync(string layout, JsonObject descriptor) => await File.ReadAllBytesAsync(await VerifyBlobAsync(layout, descriptor));

    /// <summary>The blob's path, once its content hashes to the descriptor's digest and has its size.</summary>
    private static async Task<string> VerifyBlobAsync(string layout, JsonObject descriptor)
    {
        var digest = descriptor["digest"]!.GetValue<string>();
        var size = descriptor["size"]!.GetValue<long>();
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"unsupported digest algorithm in {digest}");
        }

        var path = Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        await using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        if (stream.Length != size || actual != digest["sha256:".Length..])
        {
            throw new InvalidDataException($"blob {digest}: {stream.Length} bytes hashing to sha256:{actual}, the descriptor says {size} bytes");
        }

        return path;
    }
}
