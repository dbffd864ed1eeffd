using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>status.routing as the data plane reads it (camelCase, the shape of <see cref="Routing"/>).</summary>
public static class RoutingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static JsonNode ToNode(Routing routing) => JsonSerializer.SerializeToNode(routing, Options)!;

    /// <summary>
    /// The routing as the member holds it once written: a JSON merge patch deletes the fields it sets to null, so
    /// those are absent there. Compare what the member shows with this, never with <see cref="ToNode"/>.
    /// </summary>
    public static JsonNode AsStored(Routing routing) => WithoutNulls(ToNode(routing));

    /// <summary>
    /// The routing a member holds (status.routing) read back as a value, so it compares with the routing decided by
    /// value: the fields a merge patch dropped read as null again. Null when absent or unreadable.
    /// </summary>
    public static Routing? FromStored(JsonNode? stored)
    {
        if (stored is null)
        {
            return null;
        }

        try
        {
            return stored.Deserialize<Routing>(Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or NullReferenceException or ArgumentNullException)
        {
            return null;
        }
    }

    private static JsonNode WithoutNulls(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        obj.Remove(name);
                    }
                    else
                    {
                        WithoutNulls(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    WithoutNulls(item);
                }

                break;
        }

        return node;
    }
}
