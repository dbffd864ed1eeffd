using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Port of printEvent; events.k8s.io/v1 field names are read as fallbacks for the core/v1 ones.</summary>
internal static class EventPrinter
{
    public static readonly KindPrinter Printer = new(
        [
            StandardColumns.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            StandardColumns.Text("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
            StandardColumns.Text("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            StandardColumns.Text("Object", "The object that this event is about."),
            StandardColumns.Text("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1),
            StandardColumns.Text("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
            StandardColumns.Text("Message", "A human-readable description of the status of this operation."),
            StandardColumns.Text("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
            StandardColumns.Text("Count", "The number of times this event has occurred.", 1),
            StandardColumns.Name with { Priority = 1 },
        ],
        Cells);

    private static JsonNode?[] Cells(JsonObject e, DateTimeOffset now)
    {
        var firstTimestamp = First(e, "firstTimestamp", "deprecatedFirstTimestamp");
        var first = HumanDuration.Since(firstTimestamp ?? Str(e, "eventTime"), now);
        var lastTimestamp = First(e, "lastTimestamp", "deprecatedLastTimestamp");
        var last = lastTimestamp is null ? first : HumanDuration.Since(lastTimestamp, now);
        var count = Long(e, "count") ?? Long(e, "deprecatedCount") ?? 0;
        if (At(e, "series") is { } series)
        {
            last = HumanDuration.Since(Str(series, "lastObservedTime"), now);
            count = Long(series, "count") ?? 0;
        }
        else if (count == 0)
        {
            count = 1; // singleton events carry no count in the new API
        }

        var involved = At(e, "involvedObject") ?? At(e, "regarding");
        var kind = StrOr("", involved, "kind").ToLowerInvariant();
        var target = Str(involved, "name") is { Length: > 0 } name ? $"{kind}/{name}" : kind;
        var source = At(e, "source") ?? At(e, "deprecatedSource");
        var component = StrOr(StrOr("", e, "reportingController"), source, "component");
        var host = StrOr(StrOr("", e, "reportingInstance"), source, "host");

        return
        [
            last,
            StrOr("", e, "type"),
            StrOr("", e, "reason"),
            target,
            StrOr("", involved, "fieldPath"),
            component.Length == 0 ? "" : host.Length == 0 ? component : $"{component}, {host}",
            (Str(e, "message") ?? Str(e, "note") ?? "").Trim(),
            first,
            count,
            BuiltInPrinters.NameOf(e),
        ];
    }

    private static string? First(JsonNode e, string coreField, string eventsField) =>
        Str(e, coreField) is { Length: > 0 } v ? v : Str(e, eventsField) is { Length: > 0 } w ? w : null;
}
