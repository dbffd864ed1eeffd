using System.Security.Cryptography;
using ErieCanal.Orleans.TestSupport.Kubectl;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Crds;

/// <summary>
/// The multicluster.x-k8s.io and about.k8s.io CRDs are shipped byte-for-byte from upstream (charts/erie-canal-orleans/crds/UPSTREAM.md);
/// an edit to any of them, or to the recorded pin, fails here.
/// </summary>
public sealed class UpstreamCrdPinTests
{
    public static TheoryData<string, string> Pins => new()
    {
        { "multicluster.x-k8s.io_serviceexports.yaml", "1ec6ffc8094c8f67434431737b9c1d5132e686f21577250a615ed1e30da67097" },
        { "multicluster.x-k8s.io_serviceimports.yaml", "dfec64055b7a5dd47013706c26706ef20f7ae3319b0ae594f6353585cc052ec4" },
        { "about.k8s.io_clusterproperties.yaml", "88f290ee52e23cdc92c62f14c25f150b9b590fe295dc4df6ef43aac3040fbc23" },
    };

    [Theory]
    [MemberData(nameof(Pins))]
    public async Task The_upstream_CRD_is_unchanged_and_its_pin_recorded(string file, string sha256)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.CrdDirectory, file));
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));

        var row = (await File.ReadAllLinesAsync(Path.Combine(RepoPaths.CrdDirectory, "UPSTREAM.md")))
            .Single(l => l.StartsWith($"| {file} |", StringComparison.Ordinal));
        Assert.Contains($"| {sha256} |", row, StringComparison.Ordinal);
    }
}
