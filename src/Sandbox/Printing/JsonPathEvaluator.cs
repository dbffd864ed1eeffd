using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>
/// The JSONPath subset CRD additionalPrinterColumns use (k8s.io/client-go/util/jsonpath with missing keys allowed):
/// fields, quoted fields, indexes, slices, wildcards, recursive descent and [?(@.a=="b")] filters.
/// Missing keys yield no results rather than errors.
/// </summary>
public static class JsonPathEvaluator
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "<", ">"];

    public static IReadOnlyList<JsonNode?> Evaluate(JsonNode root, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        IReadOnlyList<JsonNode?> current = [root];
        foreach (var step in Parse(Normalize(path)))
            current = current.SelectMany(step).ToList();
        return current;
    }

    private static string Normalize(string path)
    {
        var text = path.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
            text = text[1..^1].Trim();
        if (text.StartsWith('$') || text.StartsWith('@'))
            text = text[1..];
        // kubectl accepts "metadata.name" as well as ".metadata.name".
        return text.Length > 0 && text[0] is not ('.' or '[') ? "." + text : text;
    }

    private static List<Func<JsonNode?, IEnumerable<JsonNode?>>> Parse(string path)
    {
        var steps = new List<Func<JsonNode?, IEnumerable<JsonNode?>>>();
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var recursive = i + 1 < path.Length && path[i + 1] == '.';
                i += recursive ? 2 : 1;
                if (recursive)
                    steps.Add(Descendants);
                var start = i;
                while (i < path.Length && path[i] is not ('.' or '['))
                    i++;
                var name = path[start..i];
                if (name == "*")
                    steps.Add(Children);
                else if (name.Length > 0)
                    steps.Add(n => Field(n, name));
            }
            else if (path[i] == '[')
            {
                var end = FindClose(path, i);
                steps.Add(Bracket(path[(i + 1)..end].Trim()));
                i = end + 1;
            }
            else
            {
                throw new FormatException($"unexpected '{path[i]}' at {i} in JSONPath '{path}'");
            }
        }
        return steps;
    }

    private static int FindClose(string path, int open)
    {
        char? quote = null;
        var depth = 0;
        for (var i = open + 1; i < path.Length; i++)
        {
            var c = path[i];
            if (quote is not null)
                quote = c == quote ? null : quote;
            else if (c is '\'' or '"')
                quote = c;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            else if (c == ']' && depth == 0)
                return i;
        }
        throw new FormatException($"unterminated '[' in JSONPath '{path}'");
    }

    private static Func<JsonNode?, IEnumerable<JsonNode?>> Bracket(string content)
    {
        if (content == "*")
            return Children;
        if (content.StartsWith('?'))
        {
            var expr = content[1..].Trim();
            if (expr.StartsWith('(') && expr.EndsWith(')'))
                expr = expr[1..^1].Trim();
            return n => Filter(n, expr);
        }
        if (IsQuoted(content))
        {
            var name = content[1..^1];
            return n => Field(n, name);
        }
        if (content.Contains(':', StringComparison.Ordinal))
        {
            var parts = content.Split(':');
            int? from = ParseInt(parts[0]), to = ParseInt(parts[1]);
            return n => Slice(n, from, to);
        }
        var index = ParseInt(content) ?? throw new FormatException($"unsupported JSONPath subscript '[{content}]'");
        return n => Slice(n, index, index == -1 ? null : index + 1);
    }

    private static int? ParseInt(string text) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static bool IsQuoted(string s) => s.Length >= 2 && s[0] is '\'' or '"' && s[^1] == s[0];

    private static IEnumerable<JsonNode?> Field(JsonNode? node, string name) =>
        node is JsonObject o && o.TryGetPropertyValue(name, out var v) ? [v] : [];

    private static IEnumerable<JsonNode?> Children(JsonNode? node) => node switch
    {
        JsonArray a => a,
        JsonObject o => o.Select(p => p.Value),
        _ => [],
    };

    private static IEnumerable<JsonNode?> Descendants(JsonNode? node) =>
        new[] { node }.Concat(Children(node).SelectMany(Descendants));

    private static IEnumerable<JsonNode?> Slice(JsonNode? node, int? from, int? to)
    {
        if (node is not JsonArray a)
            return [];
        int start = Clamp(from ?? 0, a.Count), end = Clamp(to ?? a.Count, a.Count);
        return a.Skip(start).Take(Math.Max(0, end - start));
    }

    // Negative positions count from the end, as in kubectl's jsonpath.
    private static int Clamp(int i, int count) => Math.Clamp(i < 0 ? i + count : i, 0, count);

    private static IEnumerable<JsonNode?> Filter(JsonNode? node, string expr)
    {
        if (node is not JsonArray items)
            return [];
        var op = Operators.Select(o => (o, at: IndexOutsideQuotes(expr, o))).FirstOrDefault(x => x.at >= 0);
        if (op.o is null)
            return items.Where(item => Operand(item, expr).Exists);
        var left = expr[..op.at].Trim();
        var right = expr[(op.at + op.o.Length)..].Trim();
        return items.Where(item => Compare(Operand(item, left), op.o, Operand(item, right)));
    }

    private static int IndexOutsideQuotes(string expr, string op)
    {
        char? quote = null;
        for (var i = 0; i + op.Length <= expr.Length; i++)
        {
            var c = expr[i];
            if (quote is not null)
                quote = c == quote ? null : quote;
            else if (c is '\'' or '"')
                quote = c;
            else if (string.CompareOrdinal(expr, i, op, 0, op.Length) == 0)
                return i;
        }
        return -1;
    }

    private readonly record struct Value(bool Exists, object? Scalar);

    private static Value Operand(JsonNode? item, string text)
    {
        if (text.StartsWith('@'))
        {
            var found = item is null ? [] : Evaluate(item, text);
            return found.Count == 0 ? new Value(false, null) : new Value(true, Scalar(found[0]));
        }
        if (IsQuoted(text))
            return new Value(true, text[1..^1]);
        if (text is "true" or "false")
            return new Value(true, text == "true");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? new Value(true, d)
            : new Value(true, text);
    }

    private static object? Scalar(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number =>
            double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        null => null,
        _ => node.ToJsonString(),
    };

    private static bool Compare(Value left, string op, Value right)
    {
        if (!left.Exists || !right.Exists)
            return false;
        if (op is "==" or "!=")
            return Equals(left.Scalar, right.Scalar) == (op == "==");
        if (left.Scalar is not double l || right.Scalar is not double r)
            return false;
        return op switch
        {
            "<" => l < r,
            ">" => l > r,
            "<=" => l <= r,
            _ => l >= r,
        };
    }
}
