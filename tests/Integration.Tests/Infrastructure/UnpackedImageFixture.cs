using Xunit;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// The test run's image (<see cref="ImageFixture"/>), opened as an OCI archive and unpacked once into a root
/// filesystem that every container of the class shares read-only.
/// </summary>
public sealed class UnpackedImageFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-image-root", Guid.NewGuid().ToString("N"));

    public BuiltImage Image { get; private set; } = null!;

    public OciArchive Archive { get; private set; } = null!;

    public string Rootfs => Path.Combine(_directory, "rootfs");

    public async Task InitializeAsync()
    {
        Image = await ImageFixture.BuildOnceAsync();
        Archive = await OciArchive.OpenAsync(Image.ArchivePath, Image.Reference);
        await Archive.UnpackAsync(Rootfs);
    }

    public Task DisposeAsync()
    {
        Archive?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
