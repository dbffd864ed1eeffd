using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Printing;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

/// <summary>Shared fixtures: a fixed clock and one-object tables reduced to their JSON cells.</summary>
internal static class TableAssert
{
    public static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject Table(string group, string kind, string json, IReadOnlyList<PrinterColumn>? crdColumns = null, string includeObject = "Metadata") =>
        TableBuilder.Build(group, kind, crdColumns, [Parse(json)], "42", null, includeObject, Now);

    // Relaxed escaping keeps "<none>" readable in expectations.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Cells(JsonObject table, int row = 0) => table["rows"]![row]!["cells"]!.ToJsonString(Readable);

    public static string ColumnNames(JsonObject table) =>
        string.Join("|", table["columnDefinitions"]!.AsArray().Select(c => $"{c!["name"]}:{c["type"]}:{c["format"]}:{c["priority"]}"));

    public static string Ago(TimeSpan age) => (Now - age).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
