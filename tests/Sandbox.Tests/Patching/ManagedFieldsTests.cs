using ErieCanal.Orleans.Sandbox.Patching;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

public sealed class ManagedFieldsTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void UpdateMovesOwnershipOfChangedFields()
    {
        var live = ServerSideApply.Apply(null, Json.Obj("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"ClusterIP","ports":[{"port":80,"targetPort":8080}]}}
            """), "kubectl", force: false, Now);
        var after = live.DeepClone().AsObject();
        after["spec"]!["ports"]![0]!["targetPort"] = 9090;

        ManagedFields.RecordUpdate(live, after, "editor", "Update", null, Now);

        // Service ports are keyed (port, protocol) in managedFields, the protocol defaulting to TCP.
        var editor = ServerSideApplyTests.Entry(after, "editor");
        Assert.Equal("Update", (string?)editor["operation"]);
        Assert.True(Json.Same("""{"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{"f:targetPort":{}}}}}""", editor["fieldsV1"]),
            editor["fieldsV1"]!.ToJsonString());
        var kubectl = ServerSideApplyTests.Entry(after, "kubectl")["fieldsV1"]!.ToJsonString();
        Assert.DoesNotContain("f:targetPort", kubectl, StringComparison.Ordinal);
        Assert.Contains("f:type", kubectl, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesLeftEmptyAreDropped()
    {
        var before = Json.Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"1"}}""");
        ManagedFields.RecordUpdate(null, before, "a", "Update", null, Now);
        var after = before.DeepClone().AsObject();
        after["data"]!["k"] = "2";

        ManagedFields.RecordUpdate(before, after, "b", "Update", null, Now);

        var entry = Assert.Single(after["metadata"]!["managedFields"]!.AsArray());
        Assert.Equal("b", (string?)entry!["manager"]);
    }

    [Fact]
    public void StatusSubresourceOwnsOnlyStatus()
    {
        var before = Json.Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n"}}""");
        var after = before.DeepClone().AsObject();
        after["status"] = Json.Obj("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""");

        ManagedFields.RecordUpdate(before, after, "kubelet", "Update", "status", Now);

        var entry = ServerSideApplyTests.Entry(after, "kubelet");
        Assert.Equal("status", (string?)entry["subresource"]);
        Assert.True(Json.Same("""
            {"f:status":{"f:conditions":{"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}},"f:phase":{}}}
            """, entry["fieldsV1"]), entry["fieldsV1"]!.ToJsonString());
    }
}
