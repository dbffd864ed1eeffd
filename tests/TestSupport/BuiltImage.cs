namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// The image deploy/image/build.sh made: its OCI archive, the name:tag the archive carries as
/// <c>org.opencontainers.image.ref.name</c> (the chart's image repository and appVersion), and what the build printed.
/// </summary>
public sealed record BuiltImage(string ArchivePath, string Reference, TimeSpan BuildTime, string BuildOutput)
{
    /// <summary>The repository part of <see cref="Reference"/>, e.g. ghcr.io/erie-canal/erie-canal-orleans.</summary>
    public string Repository => Reference[..Reference.LastIndexOf(':')];

    /// <summary>The tag part of <see cref="Reference"/>, the chart's appVersion.</summary>
    public string Tag => Reference[(Reference.LastIndexOf(':') + 1)..];
}
