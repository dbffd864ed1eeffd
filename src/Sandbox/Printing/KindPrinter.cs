using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Column definitions plus the row function for one kind; Conditions feeds row.conditions (pods only).</summary>
internal sealed record KindPrinter(
    IReadOnlyList<PrinterColumn> Columns,
    Func<JsonObject, DateTimeOffset, JsonNode?[]> Cells,
    Func<JsonObject, JsonArray?>? Conditions = null);
