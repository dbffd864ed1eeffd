using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Selectors;

/// <summary>A metav1.LabelSelector object (matchLabels and matchExpressions) evaluated against an object's labels.</summary>
public static class LabelSelectorObject
{
    /// <summary>True when every requirement holds; an empty selector selects everything, a null one nothing.</summary>
    public static bool Matches(JsonNode? selector, JsonObject obj)
    {
        if (selector is not JsonObject s)
        {
            return false;
        }

        var labels = LabelSelector.Labels(obj);
        foreach (var (key, value) in s["matchLabels"] as JsonObject ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value?.GetValue<string>())
            {
                return false;
            }
        }

        foreach (var expression in (s["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = expression["key"]?.GetValue<string>() ?? "";
            var values = (expression["values"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).ToHashSet();
            var present = labels.TryGetValue(key, out var actual);
            var holds = expression["operator"]?.GetValue<string>() switch
            {
                "In" => present && values.Contains(actual),
                "NotIn" => !present || !values.Contains(actual),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
