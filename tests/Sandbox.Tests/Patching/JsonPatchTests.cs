using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Patching;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

public sealed class JsonPatchTests
{
    private static readonly JsonObject Doc = Json.Obj("""{"a":{"b":1},"list":[1,2],"x/y":{"m~n":3}}""");

    private static JsonNode Patch(string operations) => JsonPatch.Apply(Doc, Json.Arr(operations));

    [Fact]
    public void AddSetsFieldsInsertsAndAppends()
    {
        var result = Patch("""[{"op":"add","path":"/a/c","value":2},{"op":"add","path":"/list/0","value":0},{"op":"add","path":"/list/-","value":3}]""");

        Assert.True(Json.Same("""{"a":{"b":1,"c":2},"list":[0,1,2,3],"x/y":{"m~n":3}}""", result), result.ToJsonString());
        Assert.Null(Doc["a"]!["c"]);
    }

    [Fact]
    public void RemoveAndReplaceUseEscapedPointers()
    {
        var result = Patch("""[{"op":"remove","path":"/x~1y/m~0n"},{"op":"replace","path":"/list/1","value":"two"}]""");

        Assert.True(Json.Same("""{"a":{"b":1},"list":[1,"two"],"x/y":{}}""", result), result.ToJsonString());
    }

    [Fact]
    public void MoveAndCopy()
    {
        var result = Patch("""[{"op":"copy","from":"/a","path":"/c"},{"op":"move","from":"/a/b","path":"/list/0"}]""");

        Assert.True(Json.Same("""{"a":{},"list":[1,1,2],"x/y":{"m~n":3},"c":{"b":1}}""", result), result.ToJsonString());
    }

    [Fact]
    public void PassingTestLeavesDocumentUnchanged() =>
        Assert.True(Json.Same(Doc.ToJsonString(), Patch("""[{"op":"test","path":"/a","value":{"b":1}}]""")));

    [Theory]
    [InlineData("""[{"op":"test","path":"/a/b","value":2}]""")]
    [InlineData("""[{"op":"remove","path":"/missing"}]""")]
    [InlineData("""[{"op":"replace","path":"/list/5","value":1}]""")]
    [InlineData("""[{"op":"add","path":"a","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a/~2","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/no/such","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/list/01","value":1}]""")]
    [InlineData("""[{"op":"move","from":"/a","path":"/a/b/c"}]""")]
    [InlineData("""[{"op":"frobnicate","path":"/a"}]""")]
    [InlineData("""[{"op":"add","path":"/a"}]""")]
    public void InvalidOperationsThrow(string operations) =>
        Assert.Throws<PatchException>(() => Patch(operations));
}
