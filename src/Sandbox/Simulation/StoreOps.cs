using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>Tolerant store writes for controllers: a race with a user's delete is not an error.</summary>
internal static class StoreOps
{
    public static void TryUpdate(ObjectStore store, string key, string ns, string name, Func<JsonObject, JsonObject?> mutate)
    {
        try
        {
            store.Update(key, ns, name, mutate);
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
        }
    }

    public static void TryCreate(ObjectStore store, string key, string ns, JsonObject obj)
    {
        try
        {
            store.Create(key, ns, obj);
        }
        catch (ApiException ex) when (ex.Code is 404 or 409)
        {
        }
    }

    public static void TryRemove(ObjectStore store, string key, string ns, string name)
    {
        try
        {
            store.Remove(key, ns, name);
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
        }
    }

    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static string Uid(JsonObject obj) => obj["metadata"]?["uid"]?.GetValue<string>() ?? "";

    public static bool Deleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static JsonObject OwnerReference(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    public static bool OwnedBy(JsonObject obj, string uid) =>
        obj["metadata"]?["ownerReferences"] is JsonArray refs && refs.Any(r => r?["uid"]?.GetValue<string>() == uid);

    /// <summary>Replaces status when it differs, keeping everything else.</summary>
    public static void SetStatus(ObjectStore store, string key, string ns, string name, JsonObject status) =>
        TryUpdate(store, key, ns, name, current =>
        {
            current["status"] = status.DeepClone();
            return current;
        });
}
