using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>
/// What a real API server does with a CRD's structural openAPIV3Schema: apply defaults, prune (or report) unknown
/// fields, and validate types, enums, bounds, patterns and required fields.
/// </summary>
public static class StructuralSchema
{
    private static readonly HashSet<string> RootMetaFields = ["apiVersion", "kind", "metadata"];

    /// <summary>Applies defaults in place.</summary>
    public static void ApplyDefaults(JsonNode? node, JsonObject schema)
    {
        if (node is JsonObject obj && schema["properties"] is JsonObject properties)
        {
            foreach (var (name, propertySchemaNode) in properties)
            {
                if (propertySchemaNode is not JsonObject propertySchema)
                {
                    continue;
                }

                if (!obj.ContainsKey(name) && propertySchema["default"] is { } defaultValue)
                {
                    obj[name] = defaultValue.DeepClone();
                }

                if (obj[name] is { } child)
                {
                    ApplyDefaults(child, propertySchema);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject itemSchema)
        {
            foreach (var item in array)
            {
                ApplyDefaults(item, itemSchema);
            }
        }
        else if (node is JsonObject map && schema["additionalProperties"] is JsonObject valueSchema)
        {
            foreach (var (_, value) in map)
            {
                ApplyDefaults(value, valueSchema);
            }
        }
    }

    /// <summary>Removes fields the schema does not declare, in place; returns their paths (e.g. <c>.spec.foo</c>).</summary>
    public static List<string> Prune(JsonObject root, JsonObject? schema)
    {
        var unknown = new List<string>();
        PruneNode(root, schema, "", unknown, isRoot: true);
        return unknown;
    }

    /// <summary>Validates an object; returns (field, message) causes in the API's wording.</summary>
    public static List<(string Field, string Message)> Validate(JsonObject root, JsonObject schema)
    {
        var causes = new List<(string, string)>();
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, propertySchema) in properties)
            {
                if (RootMetaFields.Contains(name) || propertySchema is not JsonObject ps)
                {
                    continue;
                }

                if (root[name] is { } value || root.ContainsKey(name))
                {
                    ValidateNode(root[name], ps, name, causes);
                }
            }
        }

        foreach (var required in Strings(schema["required"]))
        {
            if (!RootMetaFields.Contains(required) && root[required] is null)
            {
                causes.Add((required, "Required value"));
            }
        }

        return causes;
    }

    // The apiextensions-apiserver pruning algorithm: every field the structural schema does not specify goes, at every
    // level (an object schema without properties or additionalProperties keeps nothing), except under
    // x-kubernetes-preserve-unknown-fields, where only the specified fields are pruned further; apiVersion, kind and
    // metadata stay at the root and in x-kubernetes-embedded-resource objects.
    private static void PruneNode(JsonNode? node, JsonObject? schema, string path, List<string> unknown, bool isRoot = false)
    {
        if (schema is not null && Flag(schema, "x-kubernetes-preserve-unknown-fields"))
        {
            PruneSpecified(node, schema, path, unknown, isRoot);
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                var embedded = isRoot || (schema is not null && Flag(schema, "x-kubernetes-embedded-resource"));
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (embedded && RootMetaFields.Contains(name))
                    {
                        continue;
                    }

                    if (schema?["properties"]?[name] is JsonObject propertySchema)
                    {
                        PruneNode(obj[name], propertySchema, $"{path}.{name}", unknown);
                    }
                    else if (schema is not null && MapValues(schema, out var valueSchema))
                    {
                        if (valueSchema is not null)
                        {
                            PruneNode(obj[name], valueSchema, $"{path}.{name}", unknown);
                        }
                    }
                    else
                    {
                        unknown.Add($"{path}.{name}");
                        obj.Remove(name);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneNode(array[i], schema?["items"] as JsonObject, $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    /// <summary>Under x-kubernetes-preserve-unknown-fields: unknown fields stay, specified ones are pruned by their schema.</summary>
    private static void PruneSpecified(JsonNode? node, JsonObject? schema, string path, List<string> unknown, bool isRoot)
    {
        if (schema is null)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                var embedded = isRoot || Flag(schema, "x-kubernetes-embedded-resource");
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (embedded && RootMetaFields.Contains(name))
                    {
                        continue;
                    }

                    if (schema["properties"]?[name] is JsonObject propertySchema)
                    {
                        PruneNode(obj[name], propertySchema, $"{path}.{name}", unknown);
                    }
                    else if (MapValues(schema, out var valueSchema) && valueSchema is not null)
                    {
                        PruneNode(obj[name], valueSchema, $"{path}.{name}", unknown);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneSpecified(array[i], schema["items"] as JsonObject, $"{path}[{i}]", unknown, isRoot: false);
                }

                break;
        }
    }

    /// <summary>
    /// Whether the schema is a map (<c>additionalProperties</c>) whose keys are kept; <paramref name="valueSchema"/> is
    /// the schema its values are pruned by (null for <c>additionalProperties: true</c>, which constrains nothing).
    /// </summary>
    private static bool MapValues(JsonObject schema, out JsonObject? valueSchema)
    {
        valueSchema = schema["additionalProperties"] as JsonObject;
        return valueSchema is not null || (schema["additionalProperties"] is JsonValue v && v.TryGetValue<bool>(out var allowed) && allowed);
    }

    private static bool Flag(JsonObject schema, string name) =>
        schema[name] is JsonValue v && v.TryGetValue<bool>(out var flag) && flag;

    private static void ValidateNode(JsonNode? node, JsonObject schema, string path, List<(string, string)> causes)
    {
        if (node is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && schema["type"] is not null)
            {
                causes.Add((path, $"Invalid value: \"null\": {path} in body must be of type {schema["type"]}"));
            }

            return;
        }

        var type = schema["type"]?.GetValue<string>();
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var kind = node.GetValueKind();
        if (!intOrString && type is not null && !TypeMatches(type, node, kind))
        {
            causes.Add((path, $"Invalid value: \"{Describe(kind)}\": {path} in body must be of type {type}: \"{Describe(kind)}\""));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            var list = string.Join(", ", allowed.Select(a => a?.ToJsonString()));
            causes.Add((path, $"Unsupported value: {node.ToJsonString()}: supported values: {list}"));
        }

        if (kind == JsonValueKind.Number)
        {
            var number = JsonTree.AsDouble(node) ?? 0;
            if (schema["minimum"] is { } min && number < (JsonTree.AsDouble(min) ?? double.MinValue))
            {
                causes.Add((path, $"Invalid value: {Format(number)}: {path} in body should be greater than or equal to {min}"));
            }

            if (schema["maximum"] is { } max && number > (JsonTree.AsDouble(max) ?? double.MaxValue))
            {
                causes.Add((path, $"Invalid value: {Format(number)}: {path} in body should be less than or equal to {max}"));
            }
        }

        if (kind == JsonValueKind.String)
        {
            var text = node.GetValue<string>();
            if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                causes.Add((path, $"Invalid value: \"{text}\": {path} in body should match '{pattern}'"));
            }

            if (schema["minLength"] is { } minLength && text.Length < (JsonTree.AsInt64(minLength) ?? 0))
            {
                causes.Add((path, $"Invalid value: \"{text}\": {path} in body should be at least {minLength} chars long"));
            }

            if (schema["maxLength"] is { } maxLength && text.Length > (JsonTree.AsInt64(maxLength) ?? long.MaxValue))
            {
                causes.Add((path, $"Too long: may not be longer than {maxLength}"));
            }

            // Of the string formats a CRD keeps (the apiserver strips the others), the ones our CRDs use.
            var format = schema["format"] is JsonValue f && f.TryGetValue<string>(out var name) ? name : null;
            if ((format == "date-time" && !SchemaFormats.IsDateTime(text)) || (format == "date" && !SchemaFormats.IsDate(text)))
            {
                causes.Add((path, $"Invalid value: \"{text}\": {path} in body must be of type {format}: \"{text}\""));
            }
        }

        if (node is JsonObject obj)
        {
            foreach (var required in Strings(schema["required"]))
            {
                if (obj[required] is null)
                {
                    causes.Add(($"{path}.{required}", "Required value"));
                }
            }

            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (name, value) in obj)
                {
                    if (properties[name] is JsonObject ps)
                    {
                        ValidateNode(value, ps, $"{path}.{name}", causes);
                    }
                }
            }
            else if (schema["additionalProperties"] is JsonObject valueSchema)
            {
                foreach (var (name, value) in obj)
                {
                    ValidateNode(value, valueSchema, $"{path}.{name}", causes);
                }
            }
        }

        if (node is JsonArray array)
        {
            if (schema["minItems"] is { } minItems && array.Count < (JsonTree.AsInt64(minItems) ?? 0))
            {
                causes.Add((path, $"Invalid value: {array.Count}: {path} in body should have at least {minItems} items"));
            }

            if (schema["maxItems"] is { } maxItems && array.Count > (JsonTree.AsInt64(maxItems) ?? long.MaxValue))
            {
                causes.Add((path, $"Too many: {array.Count}: must have at most {maxItems} items"));
            }

            if (schema["items"] is JsonObject itemSchema)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    ValidateNode(array[i], itemSchema, $"{path}[{i}]", causes);
                }
            }

            causes.AddRange(ListTypeRules.Validate(array, schema, path));
        }
    }

    private static bool TypeMatches(string type, JsonNode node, JsonValueKind kind) => type switch
    {
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => kind == JsonValueKind.String,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "integer" => kind == JsonValueKind.Number && IsInteger(node),
        "number" => kind == JsonValueKind.Number,
        _ => true,
    };

    private static bool IsInteger(JsonNode node)
    {
        var value = JsonTree.AsDouble(node) ?? 0;
        return Math.Abs(value - Math.Round(value)) < double.Epsilon;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(a => a?.GetValue<string>()).OfType<string>() : [];
}
