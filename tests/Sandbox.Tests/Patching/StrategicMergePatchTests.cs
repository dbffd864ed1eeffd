using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Patching;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1","b":"2"},"finalizers":["x"]},
         "spec":{"containers":[
           {"name":"app","image":"app:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]},
           {"name":"side","image":"side:1"}]}}
        """;

    private static JsonObject PatchPod(string patch) =>
        StrategicMergePatch.Apply(Json.Obj(Pod), Json.Obj(patch), "v1", "Pod");

    [Fact]
    public void ContainersMergeByNameAndNullDeletes()
    {
        var result = PatchPod("""
            {"metadata":{"labels":{"a":null,"c":"3"}},
             "spec":{"containers":[{"name":"app","image":"app:2","env":[{"name":"B","value":"2"}]},{"name":"new","image":"n"}]}}
            """);

        Assert.True(Json.Same("""{"b":"2","c":"3"}""", result["metadata"]!["labels"]));
        Assert.True(Json.Same("""
            [{"name":"app","image":"app:2","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]},
             {"name":"side","image":"side:1"},{"name":"new","image":"n"}]
            """, result["spec"]!["containers"]), result.ToJsonString());
        Assert.True(Json.Same(Pod, Json.Obj(Pod)));
    }

    [Fact]
    public void PatchDeleteRemovesListElement()
    {
        var result = PatchPod("""{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}""");

        Assert.Equal("app", (string?)Assert.Single(result["spec"]!["containers"]!.AsArray())!["name"]);
    }

    [Fact]
    public void PatchReplaceOnMapAndList()
    {
        var result = PatchPod("""
            {"metadata":{"labels":{"$patch":"replace","z":"9"}},
             "spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"o"}]}}
            """);

        Assert.True(Json.Same("""{"z":"9"}""", result["metadata"]!["labels"]));
        Assert.True(Json.Same("""[{"name":"only","image":"o"}]""", result["spec"]!["containers"]));
    }

    [Fact]
    public void SetElementOrderReordersAndIsNotStored()
    {
        var result = PatchPod("""
            {"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"app"}],"containers":[{"name":"side","image":"side:2"}]}}
            """);

        var containers = result["spec"]!["containers"]!.AsArray();
        Assert.Equal(["side", "app"], containers.Select(c => (string?)c!["name"]));
        Assert.Equal("side:2", (string?)containers[0]!["image"]);
        Assert.DoesNotContain("$", result.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RetainKeysDropsUnlistedFields()
    {
        var original = Json.Obj("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""");
        var patch = Json.Obj("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""");

        var result = StrategicMergePatch.Apply(original, patch, "apps/v1", "Deployment");

        Assert.True(Json.Same("""{"spec":{"strategy":{"type":"Recreate"}}}""", result), result.ToJsonString());
    }

    [Theory]
    [InlineData("apps/v1", "StatefulSet")]
    [InlineData("apps/v1", "ReplicaSet")]
    [InlineData("apps/v1", "DaemonSet")]
    [InlineData("batch/v1", "Job")]
    public void PodTemplateContainersAndEnvMergeByNameInEveryWorkloadKind(string apiVersion, string kind)
    {
        // What helm upgrade sends when one env value of a chart changes: the container keeps its image and other env.
        var original = Json.Obj("""
            {"spec":{"template":{"spec":{"containers":[{"name":"silo","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}
            """);
        var patch = Json.Obj("""{"spec":{"template":{"spec":{"containers":[{"name":"silo","env":[{"name":"B","value":"3"}]}]}}}}""");

        var result = StrategicMergePatch.Apply(original, patch, apiVersion, kind);

        Assert.True(Json.Same("""
            [{"name":"silo","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"3"}]}]
            """, result["spec"]!["template"]!["spec"]!["containers"]), result.ToJsonString());
    }

    [Fact]
    public void ServicePortsMergeByPort()
    {
        var original = Json.Obj("""{"spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https"}]}}""");
        var patch = Json.Obj("""{"spec":{"ports":[{"port":443,"targetPort":8443},{"port":53,"protocol":"UDP"}]}}""");

        var result = StrategicMergePatch.Apply(original, patch, "v1", "Service");

        Assert.True(Json.Same("""
            [{"port":80,"name":"http"},{"port":443,"name":"https","targetPort":8443},{"port":53,"protocol":"UDP"}]
            """, result["spec"]!["ports"]), result.ToJsonString());
    }

    [Fact]
    public void FinalizersMergeAsSetAndSupportDeleteFromPrimitiveList()
    {
        var result = PatchPod("""{"metadata":{"finalizers":["y"],"$deleteFromPrimitiveList/finalizers":["x"]}}""");
        Assert.True(Json.Same("""["y"]""", result["metadata"]!["finalizers"]), result.ToJsonString());

        var added = PatchPod("""{"metadata":{"finalizers":["y"]}}""");
        Assert.True(Json.Same("""["x","y"]""", added["metadata"]!["finalizers"]));
    }

    [Fact]
    public void UnknownKindListsAreReplaced()
    {
        var result = StrategicMergePatch.Apply(
            Json.Obj("""{"spec":{"items":[{"name":"a"}]}}"""), Json.Obj("""{"spec":{"items":[{"name":"b"}]}}"""), "example.com/v1", "Widget");

        Assert.True(Json.Same("""{"spec":{"items":[{"name":"b"}]}}""", result));
    }

    [Fact]
    public void MissingMergeKeyIsRejected() =>
        Assert.Throws<PatchException>(() => PatchPod("""{"spec":{"containers":[{"image":"x"}]}}"""));
}
