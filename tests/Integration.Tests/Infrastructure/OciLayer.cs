using System.Formats.Tar;
using System.IO.Compression;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>One layer of an <see cref="OciArchive"/>: its blob and media type (tar, or tar+gzip).</summary>
public sealed record OciLayer(string Path, string MediaType)
{
    public IEnumerable<string> Entries()
    {
        using var file = File.OpenRead(Path);
        using Stream content = MediaType.EndsWith("+gzip", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new TarReader(content);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name);
        }

        return names;
    }
}
