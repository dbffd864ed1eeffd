using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Patching;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

public sealed class JsonMergePatchTests
{
    [Fact]
    public void NullDeletesAndMapsMergeRecursively()
    {
        var target = Json.Obj("""{"a":1,"b":{"c":2,"d":3},"e":[1,2]}""");
        var result = JsonMergePatch.Apply(target, Json.Obj("""{"a":null,"b":{"c":null,"x":4},"e":[9]}"""));

        Assert.True(Json.Same("""{"b":{"d":3,"x":4},"e":[9]}""", result), result?.ToJsonString());
        Assert.True(Json.Same("""{"a":1,"b":{"c":2,"d":3},"e":[1,2]}""", target));
    }

    [Fact]
    public void NonObjectPatchReplacesTarget()
    {
        Assert.True(Json.Same("[1]", JsonMergePatch.Apply(Json.Obj("""{"a":1}"""), JsonNode.Parse("[1]"))));
        Assert.True(Json.Same("""{"a":{"b":1}}""", JsonMergePatch.Apply(JsonNode.Parse("3"), Json.Obj("""{"a":{"b":1}}"""))));
    }
}
