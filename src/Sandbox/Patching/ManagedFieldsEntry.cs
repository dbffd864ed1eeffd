using System.Globalization;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>One metadata.managedFields[] entry with its field set decoded.</summary>
internal sealed class ManagedFieldsEntry
{
    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public string? Subresource { get; init; }

    public string? ApiVersion { get; set; }

    public string? Time { get; set; }

    public FieldSet Fields { get; set; } = new();

    public bool Is(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && (Subresource ?? string.Empty) == (subresource ?? string.Empty);

    public void Touch(string? apiVersion, DateTimeOffset now)
    {
        ApiVersion = apiVersion;
        Time = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    public static List<ManagedFieldsEntry> ReadAll(JsonObject? obj)
    {
        var entries = new List<ManagedFieldsEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray array)
        {
            return entries;
        }

        foreach (var item in array.OfType<JsonObject>())
        {
            entries.Add(new ManagedFieldsEntry
            {
                Manager = Text(item, "manager") ?? string.Empty,
                Operation = Text(item, "operation") ?? "Update",
                Subresource = Text(item, "subresource"),
                ApiVersion = Text(item, "apiVersion"),
                Time = Text(item, "time"),
                Fields = FieldSet.FromFieldsV1(item["fieldsV1"] as JsonObject),
            });
        }

        return entries;
    }

    /// <summary>Stores the entries on the object, dropping those that own nothing.</summary>
    public static void WriteAll(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var array = new JsonArray([.. entries.Where(e => !e.Fields.IsEmpty).Select(e => e.ToJson())]);
        if (obj["metadata"] is not JsonObject metadata)
        {
            if (array.Count == 0)
            {
                return;
            }

            metadata = [];
            obj["metadata"] = metadata;
        }

        if (array.Count == 0)
        {
            metadata.Remove("managedFields");
        }
        else
        {
            metadata["managedFields"] = array;
        }
    }

    private JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
            ["time"] = Time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(),
        };
        if (!string.IsNullOrEmpty(Subresource))
        {
            json["subresource"] = Subresource;
        }

        return json;
    }

    private static string? Text(JsonObject item, string name) =>
        item[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
