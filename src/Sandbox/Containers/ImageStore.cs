using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The images a sandbox is given, by normalized name:tag. Each is unpacked once, on first use, into
/// <c>&lt;cache&gt;/&lt;manifest digest&gt;/rootfs</c>; a finished unpack (marked by <c>image.json</c>) is reused by later
/// sandboxes, so a test suite unpacks an image once.
/// </summary>
public sealed class ImageStore
{
    private readonly Dictionary<string, (GivenImage Given, string ManifestDigest)> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<UnpackedImage>>> _unpacked = new(StringComparer.Ordinal);
    private readonly string _cacheDirectory;

    public ImageStore(IEnumerable<GivenImage> images, string cacheDirectory)
    {
        _cacheDirectory = cacheDirectory;
        foreach (var image in images)
        {
            var path = Path.GetFullPath(image.ArchivePath);
            var (indexName, digest) = OciImageArchive.ReadIndex(path);
            var reference = image.Reference ?? indexName
                ?? throw new ArgumentException($"{path}: the archive's index names no image; give it as name:tag={path}");
            _images[ImageReference.Normalize(reference)] = (image with { ArchivePath = path }, digest);
        }
    }

    /// <summary>The normalized names of the given images.</summary>
    public IReadOnlyCollection<string> References => _images.Keys;

    /// <summary>Where unpacked images (and the sandbox's other host-built artifacts) are cached.</summary>
    public string CacheDirectory => _cacheDirectory;

    public bool IsGiven(string? image) => image is not null && _images.ContainsKey(ImageReference.Normalize(image));

    /// <summary>The unpacked image (unpacking it the first time it is asked for).</summary>
    public Task<UnpackedImage> GetAsync(string image)
    {
        var reference = ImageReference.Normalize(image);
        if (!_images.TryGetValue(reference, out var given))
        {
            throw new KeyNotFoundException($"image {image} was not given to the sandbox");
        }

        return _unpacked.GetOrAdd(reference, r => new Lazy<Task<UnpackedImage>>(() => Task.Run(() => Unpack(r, given.Given, given.ManifestDigest)))).Value;
    }

    private UnpackedImage Unpack(string reference, GivenImage given, string manifestDigest)
    {
        var directory = Path.Combine(_cacheDirectory, manifestDigest.Replace(':', '-'));
        var marker = Path.Combine(directory, "image.json");
        if (!File.Exists(marker))
        {
            // Unpacked beside the final place and renamed into it: a crash mid-unpack never leaves a half image to reuse.
            var scratch = $"{directory}.partial-{Guid.NewGuid():N}";
            try
            {
                var (config, digest) = OciImageArchive.Unpack(given.ArchivePath, Path.Combine(scratch, "rootfs"), Path.Combine(scratch, "archive"));
                Directory.Delete(Path.Combine(scratch, "archive"), recursive: true);
                File.WriteAllText(Path.Combine(scratch, "image.json"), new JsonObject
                {
                    ["manifestDigest"] = digest,
                    ["config"] = new JsonObject
                    {
                        ["Entrypoint"] = new JsonArray(config.Entrypoint.Select(s => (JsonNode?)s).ToArray()),
                        ["Cmd"] = new JsonArray(config.Cmd.Select(s => (JsonNode?)s).ToArray()),
                        ["Env"] = new JsonArray(config.Env.Select(s => (JsonNode?)s).ToArray()),
                        ["User"] = config.User,
                        ["WorkingDir"] = config.WorkingDir,
                    },
                }.ToJsonString());
                Directory.CreateDirectory(_cacheDirectory);
                try
                {
                    Directory.Move(scratch, directory);
                }
                catch (IOException) when (File.Exists(marker))
                {
                    // Another sandbox unpacked the same image first.
                }
            }
            finally
            {
                if (Directory.Exists(scratch))
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }
        }

        var document = JsonNode.Parse(File.ReadAllText(marker))!;
        var name = reference.Split('@')[0];
        var colon = name.LastIndexOf(':');
        var repository = colon > name.LastIndexOf('/') ? name[..colon] : name;
        return new UnpackedImage(reference, Path.Combine(directory, "rootfs"), ImageConfig.Parse(document),
            $"{repository}@{document["manifestDigest"]!.GetValue<string>()}");
    }
}
