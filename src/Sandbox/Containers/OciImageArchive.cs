using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// An OCI image layout in a tar archive (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>). Read with
/// System.Formats.Tar rather than by shelling out to umoci or skopeo: the sandbox then needs no tool beyond runc,
/// and the whiteout rules (which decide what a container sees) are ours to test.
/// </summary>
public static class OciImageArchive
{
    private const string RefName = "org.opencontainers.image.ref.name";
    private const string ContainerdName = "io.containerd.image.name";
    private const string ImageIndexMediaType = "application/vnd.oci.image.index.v1+json";

    /// <summary>The name the archive's index gives its image, and the digest of the manifest it points at.</summary>
    public static (string? Reference, string ManifestDigest) ReadIndex(string archivePath)
    {
        var index = ReadEntry(archivePath, "index.json") ?? throw new InvalidDataException($"{archivePath} is not an OCI archive: it has no index.json");
        var manifest = (JsonNode.Parse(index)?["manifests"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()
            ?? throw new InvalidDataException($"{archivePath}: index.json lists no manifest");
        var annotations = manifest["annotations"] as JsonObject;
        var reference = annotations?[ContainerdName]?.GetValue<string>() ?? annotations?[RefName]?.GetValue<string>();
        return (reference, manifest["digest"]?.GetValue<string>() ?? throw new InvalidDataException($"{archivePath}: the index's manifest has no digest"));
    }

    /// <summary>Unpacks the image's layers in order into <paramref name="rootFs"/>; returns its config and manifest digest.</summary>
    public static (ImageConfig Config, string ManifestDigest) Unpack(string archivePath, string rootFs, string scratch)
    {
        var blobs = Path.Combine(scratch, "blobs");
        Directory.CreateDirectory(blobs);
        string? index = null;
        using (var stream = File.OpenRead(archivePath))
        using (var reader = new TarReader(stream))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                var name = EntryName(entry.Name);
                if (name == "index.json" && entry.DataStream is { } indexData)
                {
                    using var text = new StreamReader(indexData);
                    index = text.ReadToEnd();
                }
                else if (name.StartsWith("blobs/", StringComparison.Ordinal) && entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    entry.ExtractToFile(Path.Combine(blobs, name["blobs/".Length..].Replace('/', ':')), overwrite: true);
                }
            }
        }

        var manifestDigest = (JsonNode.Parse(index ?? throw new InvalidDataException($"{archivePath} has no index.json"))?["manifests"] as JsonArray)
            ?.OfType<JsonObject>().FirstOrDefault()?["digest"]?.GetValue<string>() ?? throw new InvalidDataException($"{archivePath}: index.json lists no manifest");
        var manifest = Blob(blobs, manifestDigest);
        if (manifest["mediaType"]?.GetValue<string>() == ImageIndexMediaType || manifest["manifests"] is JsonArray)
        {
            // A multi-platform index: the linux/amd64 image (or the only one).
            var chosen = (manifest["manifests"] as JsonArray ?? []).OfType<JsonObject>()
                .OrderByDescending(m => m["platform"]?["architecture"]?.GetValue<string>() == "amd64").First();
            manifestDigest = chosen["digest"]!.GetValue<string>();
            manifest = Blob(blobs, manifestDigest);
        }

        var config = ImageConfig.Parse(Blob(blobs, manifest["config"]?["digest"]?.GetValue<string>() ?? throw new InvalidDataException("the manifest has no config")));
        Directory.CreateDirectory(rootFs);
        foreach (var layer in (manifest["layers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            using var data = File.OpenRead(BlobPath(blobs, layer["digest"]!.GetValue<string>()));
            LayerApplier.Apply(data, rootFs);
        }

        return (config, manifestDigest);
    }

    private static string? ReadEntry(string archivePath, string wanted)
    {
        using var stream = File.OpenRead(archivePath);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (EntryName(entry.Name) == wanted && entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                return text.ReadToEnd();
            }
        }

        return null;
    }

    private static JsonNode Blob(string blobs, string digest) =>
        JsonNode.Parse(File.ReadAllText(BlobPath(blobs, digest))) ?? throw new InvalidDataException($"blob {digest} is not JSON");

    private static string BlobPath(string blobs, string digest)
    {
        var path = Path.Combine(blobs, digest);
        return File.Exists(path) ? path : throw new InvalidDataException($"the archive lacks blob {digest}");
    }

    private static string EntryName(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
}
