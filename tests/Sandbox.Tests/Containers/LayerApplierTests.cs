using System.Formats.Tar;
using System.Text;
using ErieCanal.Orleans.Sandbox.Containers;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>The OCI layer rules the unpacker follows: whiteouts, opaque directories, and symlinks that never lead out of the root.</summary>
public sealed class LayerApplierTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("layer-root-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("layer-outside-").FullName;

    [Fact]
    public void Whiteouts_delete_lower_files_and_opaque_directories_keep_only_their_own_layer()
    {
        Apply(tar =>
        {
            AddFile(tar, "etc/keep", "keep");
            AddFile(tar, "etc/drop", "drop");
            AddFile(tar, "data/lower", "lower");
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "gone-dir"));
            AddFile(tar, "gone-dir/file", "x");
        });
        Apply(tar =>
        {
            AddFile(tar, "etc/.wh.drop", "");
            AddFile(tar, "data/.wh..wh..opq", "");
            AddFile(tar, "data/upper", "upper");
            AddFile(tar, ".wh.gone-dir", "");
        });

        Assert.True(File.Exists(Path.Combine(_root, "etc/keep")));
        Assert.False(File.Exists(Path.Combine(_root, "etc/drop")));
        Assert.False(File.Exists(Path.Combine(_root, "etc/.wh.drop")));
        Assert.Equal(["upper"], Directory.GetFileSystemEntries(Path.Combine(_root, "data")).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(_root, "gone-dir")));
    }

    [Fact]
    public void An_absolute_symlink_in_a_layer_resolves_inside_the_root_when_a_later_entry_writes_through_it()
    {
        Apply(tar =>
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "escape") { LinkName = _outside });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin") { LinkName = "usr/bin" });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/bin"));
        });
        Apply(tar =>
        {
            AddFile(tar, "escape/planted", "x");
            AddFile(tar, "bin/tool", "tool");
        });

        Assert.Empty(Directory.GetFileSystemEntries(_outside));
        Assert.True(File.Exists(Path.Combine(_root, _outside.TrimStart('/'), "planted")));
        Assert.Equal("tool", File.ReadAllText(Path.Combine(_root, "usr/bin/tool")));
    }

    [Fact]
    public void Variable_expansion_and_restart_backoff_follow_the_kubelet()
    {
        string? Lookup(string name) => name == "A" ? "1" : null;
        Assert.Equal("1 $(B) $(A) $ $x", VariableExpansion.Expand("$(A) $(B) $$(A) $ $x", Lookup));
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(10));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next(TimeSpan.FromSeconds(1)).TotalSeconds).ToList();
        Assert.Equal([0, 10, 20, 40, 80, 160, 300, 300], delays);
        Assert.Equal(TimeSpan.Zero, backoff.Next(TimeSpan.FromMinutes(10)));
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private void Apply(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(tar);
        }

        buffer.Position = 0;
        LayerApplier.Apply(buffer, _root);
    }

    private static void AddFile(TarWriter tar, string name, string content) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
}
