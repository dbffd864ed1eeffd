using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Port of the apiextensions tableconvertor: Name plus the CRD version's additionalPrinterColumns.</summary>
internal static class CustomResourcePrinter
{
    // serveDefaultColumnsIfEmpty: a CRD without printer columns still gets an Age column.
    private static readonly PrinterColumn DefaultAge =
        new("Age", "date", ".metadata.creationTimestamp", null, StandardColumns.CreationTimestampDescription);

    public static KindPrinter Create(IReadOnlyList<PrinterColumn> crdColumns)
    {
        IReadOnlyList<PrinterColumn> columns = crdColumns.Count == 0 ? [DefaultAge] : crdColumns;
        PrinterColumn[] headers =
        [
            StandardColumns.Name,
            .. columns.Select(c => string.IsNullOrEmpty(c.Description)
                ? c with { Description = $"Custom resource definition column (in JSONPath format): {c.JsonPath}" }
                : c),
        ];
        return new KindPrinter(headers, (obj, now) => [BuiltInPrinters.NameOf(obj), .. columns.Select(c => Cell(obj, c, now))]);
    }

    private static JsonNode? Cell(JsonObject obj, PrinterColumn column, DateTimeOffset now)
    {
        IReadOnlyList<JsonNode?> results;
        try
        {
            results = JsonPathEvaluator.Evaluate(obj, column.JsonPath);
        }
        catch (FormatException)
        {
            return null;
        }
        // Like a real server, only the first match is printed (tableconvertor uses results[0][0]).
        if (results.Count == 0 || results[0] is not JsonNode value)
            return null;

        var kind = value.GetValueKind();
        var text = value.ToJsonString();
        return column.Type switch
        {
            "string" => JsonFields.ToText(value),
            "integer" when kind == JsonValueKind.Number => JsonFields.ParseLong(text),
            "number" when kind == JsonValueKind.Number => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            "boolean" when kind is JsonValueKind.True or JsonValueKind.False => kind == JsonValueKind.True,
            "date" when kind == JsonValueKind.String => DateCell(value.GetValue<string>(), now),
            _ => null,
        };
    }

    // Date cells are rendered server-side as ages (metatable.ConvertToHumanReadableDateType).
    private static string DateCell(string value, DateTimeOffset now) =>
        value.Length == 0 || value == "null" ? "<unknown>"
        : Timestamps.TryParse(value, out var t) ? HumanDuration.Format(now - t)
        : "<invalid>";
}
