using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>labels.FormatLabels and LabelSelectorAsSelector(..).String() as the Go printers render them.</summary>
internal static class LabelFormatting
{
    public static string FormatLabels(JsonNode? labels)
    {
        var text = string.Join(",", JsonFields.Props(labels)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={JsonFields.Str(p.Value)}"));
        return text.Length == 0 ? "<none>" : text;
    }

    public static string FormatSelector(JsonNode? selector)
    {
        var requirements = JsonFields.Props(selector, "matchLabels")
            .Select(p => (key: p.Key, text: $"{p.Key}={JsonFields.Str(p.Value)}"))
            .Concat(JsonFields.Items(selector, "matchExpressions").Select(Expression))
            .OrderBy(r => r.key, StringComparer.Ordinal);
        return string.Join(",", requirements.Select(r => r.text));
    }

    private static (string key, string text) Expression(JsonNode? e)
    {
        var key = JsonFields.StrOr("", e, "key");
        var values = string.Join(",", JsonFields.Items(e, "values").Select(v => JsonFields.Str(v)).Order(StringComparer.Ordinal));
        return (key, JsonFields.Str(e, "operator") switch
        {
            "In" => $"{key} in ({values})",
            "NotIn" => $"{key} notin ({values})",
            "DoesNotExist" => $"!{key}",
            _ => key,
        });
    }
}
