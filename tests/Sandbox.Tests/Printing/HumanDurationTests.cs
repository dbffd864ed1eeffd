using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Printing.TableAssert;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

/// <summary>Ages go through the public builder: "other" kinds print Name and Age.</summary>
public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(-1, "0s")]
    [InlineData(-5, "<invalid>")]
    [InlineData(95, "95s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(330, "5m30s")]
    [InlineData(600, "10m")]
    [InlineData(179 * 60 + 59, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(5 * 3600 + 10 * 60, "5h10m")]
    [InlineData(8 * 3600 + 59, "8h")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(3 * 86400 + 5 * 3600, "3d5h")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData(730 * 86400, "2y")]
    [InlineData(3 * 365 * 86400 + 45 * 86400, "3y45d")]
    [InlineData(9 * 365 * 86400 + 45 * 86400, "9y")]
    public void Age_matches_kubernetes_HumanDuration(long seconds, string expected)
    {
        var table = Table("example.io", "Widget", $$$"""{"metadata":{"name":"w","creationTimestamp":"{{{Ago(TimeSpan.FromSeconds(seconds))}}}"}}""");
        Assert.Equal($"[\"w\",\"{expected}\"]", Cells(table));
    }

    [Fact]
    public void Missing_creation_timestamp_is_unknown() =>
        Assert.Equal("[\"w\",\"<unknown>\"]", Cells(Table("example.io", "Widget", """{"metadata":{"name":"w"}}""")));
}
