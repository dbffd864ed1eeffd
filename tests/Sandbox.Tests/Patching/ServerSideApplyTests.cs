using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Patching;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

public sealed class ServerSideApplyTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 30, 0, TimeSpan.Zero);

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web","tier":"fe"}},
         "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1"}]}}}}
        """;

    internal static JsonObject Entry(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == manager)!.AsObject();

    [Fact]
    public void CreateRecordsApplyEntryInFieldsV1()
    {
        var applied = Json.Obj(Deployment);
        var result = ServerSideApply.Apply(null, applied, "kubectl", force: false, Now);

        var entry = Entry(result, "kubectl");
        Assert.Equal("Apply", (string?)entry["operation"]);
        Assert.Equal("apps/v1", (string?)entry["apiVersion"]);
        Assert.Equal("2024-05-01T12:30:00Z", (string?)entry["time"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        Assert.False(entry.ContainsKey("subresource"));
        Assert.True(Json.Same("""
            {"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}},
             "f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}
            """, entry["fieldsV1"]), entry["fieldsV1"]!.ToJsonString());
        Assert.Equal(2, (int?)result["spec"]!["replicas"]);
        Assert.False(applied["metadata"]!.AsObject().ContainsKey("managedFields"));
    }

    [Fact]
    public void ReapplyRemovesFieldsNoLongerApplied()
    {
        var live = ServerSideApply.Apply(null, Json.Obj(Deployment), "kubectl", force: false, Now);
        var next = Json.Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2"}]}}}}
            """);

        var result = ServerSideApply.Apply(live, next, "kubectl", force: false, Now);

        Assert.Null(result["spec"]!["replicas"]);
        Assert.True(Json.Same("""{"app":"web"}""", result["metadata"]!["labels"]));
        Assert.Equal("nginx:2", (string?)result["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.DoesNotContain("f:replicas", Entry(result, "kubectl").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReapplyWithoutListItemRemovesIt()
    {
        var first = Json.Obj(Deployment);
        first["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(Json.Obj("""{"name":"side","image":"s"}"""));
        var live = ServerSideApply.Apply(null, first, "kubectl", force: false, Now);

        var result = ServerSideApply.Apply(live, Json.Obj(Deployment), "kubectl", force: false, Now);

        Assert.True(Json.Same("""[{"name":"nginx","image":"nginx:1"}]""", result["spec"]!["template"]!["spec"]!["containers"]), result.ToJsonString());
        Assert.DoesNotContain("side", Entry(result, "kubectl").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FieldSharedWithAnotherManagerIsKeptWhenDropped()
    {
        var live = ServerSideApply.Apply(null, Json.Obj(Deployment), "a", force: false, Now);
        live = ServerSideApply.Apply(live, Json.Obj(Deployment), "b", force: false, Now);
        var without = Json.Obj(Deployment);
        without["spec"]!.AsObject().Remove("replicas");

        var result = ServerSideApply.Apply(live, without, "a", force: false, Now);

        Assert.Equal(2, (int?)result["spec"]!["replicas"]);
    }

    [Fact]
    public void ChangingAnotherManagersFieldConflicts()
    {
        var live = Json.Obj(Deployment);
        ManagedFields.RecordUpdate(null, live, "kubectl-client-side-apply", "Update", null, Now);
        var applied = Json.Obj(Deployment);
        applied["spec"]!["replicas"] = 5;

        var error = Assert.Throws<ApplyConflictException>(() => ServerSideApply.Apply(live, applied, "kubectl", force: false, Now));

        Assert.Equal([("kubectl-client-side-apply", ".spec.replicas")], error.Conflicts);
        Assert.Equal("""Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas""", error.Message);
    }

    [Fact]
    public void ConflictsWithAppliersNameThemWithoutApiVersionGroupedPerManager()
    {
        var live = ServerSideApply.Apply(null, Json.Obj(Deployment), "beta", force: false, Now);
        live = ServerSideApply.Apply(live, Json.Obj(Deployment), "alpha", force: false, Now);
        var applied = Json.Obj(Deployment);
        applied["spec"]!["replicas"] = 5;

        var error = Assert.Throws<ApplyConflictException>(() => ServerSideApply.Apply(live, applied, "gamma", force: false, Now));

        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"alpha\":\n- .spec.replicas\nconflicts with \"beta\":\n- .spec.replicas", error.Message);

        var single = ServerSideApply.Apply(null, Json.Obj(Deployment), "alpha", force: false, Now);
        Assert.Equal(
            "Apply failed with 1 conflict: conflict with \"alpha\": .spec.replicas",
            Assert.Throws<ApplyConflictException>(() => ServerSideApply.Apply(single, applied, "gamma", force: false, Now)).Message);
    }

    [Fact]
    public void ReapplyingTheSameConfigurationKeepsTheEntryTimestamp()
    {
        var first = ServerSideApply.Apply(null, Json.Obj(Deployment), "kubectl", force: false, Now);

        var again = ServerSideApply.Apply(first, Json.Obj(Deployment), "kubectl", force: false, Now.AddMinutes(5));

        Assert.True(JsonNode.DeepEquals(first, again));
    }

    [Fact]
    public void KubectlTakesFieldsItsClientSideApplyLeftWithoutForcing()
    {
        var live = Json.Obj(Deployment);
        live["metadata"]!["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = Deployment.ReplaceLineEndings(" ") };
        ManagedFields.RecordUpdate(null, live, "kubectl-client-side-apply", "Update", null, Now);
        var applied = Json.Obj(Deployment);
        applied["spec"]!["replicas"] = 5;

        var result = ServerSideApply.Apply(live, applied, "kubectl", force: false, Now);

        Assert.Equal(5, (int?)result["spec"]!["replicas"]);
        Assert.Throws<ApplyConflictException>(() => ServerSideApply.Apply(live, applied, "someone-else", force: false, Now));
    }

    [Fact]
    public void SameValueIsSharedWithoutConflict()
    {
        var live = Json.Obj(Deployment);
        ManagedFields.RecordUpdate(null, live, "other", "Update", null, Now);

        var result = ServerSideApply.Apply(live, Json.Obj(Deployment), "kubectl", force: false, Now);

        Assert.Contains("f:replicas", Entry(result, "other").ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("f:replicas", Entry(result, "kubectl").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForceTakesOwnership()
    {
        var live = Json.Obj(Deployment);
        ManagedFields.RecordUpdate(null, live, "other", "Update", null, Now);
        var applied = Json.Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}""");

        var result = ServerSideApply.Apply(live, applied, "kubectl", force: true, Now);

        Assert.Equal(5, (int?)result["spec"]!["replicas"]);
        Assert.DoesNotContain("f:replicas", Entry(result, "other").ToJsonString(), StringComparison.Ordinal);
        Assert.True(Json.Same("""{"f:spec":{"f:replicas":{}}}""", Entry(result, "kubectl")["fieldsV1"]));
        Assert.Equal("nginx:1", (string?)result["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public void StatusAndServerMetadataAreNotManaged()
    {
        var applied = Json.Obj("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u","resourceVersion":"7","creationTimestamp":null,
             "finalizers":["f"]},"data":{"k":"v"},"status":{"x":1}}
            """);

        var result = ServerSideApply.Apply(null, applied, "m", force: false, Now);

        Assert.True(Json.Same("""{"f:data":{"f:k":{}},"f:metadata":{"f:finalizers":{"v:\"f\"":{}}}}""", Entry(result, "m")["fieldsV1"]),
            Entry(result, "m")["fieldsV1"]!.ToJsonString());
        Assert.Null(result["status"]);
        Assert.Null(result["metadata"]!["uid"]);
    }
}
