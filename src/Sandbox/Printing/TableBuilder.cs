using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Builds meta.k8s.io/v1 Table responses so kubectl get prints the same columns as against a real server.</summary>
public static class TableBuilder
{
    // group ("" for core) and kind pick a built-in printer; crdColumns (the served CRD version's
    // additionalPrinterColumns) is null for built-ins. includeObject: "None", "Metadata" (default) or "Object".
    public static JsonObject Build(string group, string kind, IReadOnlyList<PrinterColumn>? crdColumns,
        IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken, string includeObject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var printer = crdColumns is null ? BuiltInPrinters.For(group, kind) : CustomResourcePrinter.Create(crdColumns);

        var metadata = new JsonObject();
        if (!string.IsNullOrEmpty(resourceVersion))
            metadata["resourceVersion"] = resourceVersion;
        if (!string.IsNullOrEmpty(continueToken))
            metadata["continue"] = continueToken;

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(printer.Cells(obj, now)) };
            if (printer.Conditions?.Invoke(obj) is { } conditions)
                row["conditions"] = conditions;
            row["object"] = RowObject(obj, includeObject);
            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = new JsonArray(printer.Columns.Select(ColumnDefinition).ToArray()),
            ["rows"] = rows,
        };
    }

    // TableColumnDefinition has no omitempty fields, so empty format/description are still sent.
    private static JsonNode ColumnDefinition(PrinterColumn c) => new JsonObject
    {
        ["name"] = c.Name,
        ["type"] = c.Type,
        ["format"] = c.Format ?? "",
        ["description"] = c.Description ?? "",
        ["priority"] = c.Priority,
    };

    private static JsonNode? RowObject(JsonObject obj, string includeObject) => includeObject switch
    {
        // A real server serializes the emptied RawExtension as null rather than dropping the field.
        "None" => null,
        "Object" => obj.DeepClone(),
        _ => new JsonObject
        {
            ["kind"] = "PartialObjectMetadata",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
        },
    };
}
