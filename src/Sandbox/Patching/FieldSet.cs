using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// A set of owned field paths. Each path is a sequence of FieldsV1 elements ("f:spec",
/// "k:{\"name\":\"x\"}", "v:\"a\"") and names a leaf value or a list item the owner holds.
/// </summary>
internal sealed class FieldSet
{
    // Elements are joined with a control character that the JSON encoder always escapes.
    private const char Separator = '\u001f';

    private static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly HashSet<string> paths = new(StringComparer.Ordinal);

    public FieldSet()
    {
    }

    public FieldSet(IEnumerable<string> paths) => this.paths.UnionWith(paths);

    public IReadOnlyCollection<string> Paths => paths;

    public bool IsEmpty => paths.Count == 0;

    public static string Encode(JsonNode? value) => value?.ToJsonString(Compact) ?? "null";

    public static string Join(IEnumerable<string> elements) => string.Join(Separator, elements);

    public static string[] Split(string path) => path.Split(Separator);

    /// <summary>Renders a path the way Kubernetes reports conflicts, e.g. .spec.containers[name="a"].image.</summary>
    public static string Describe(string path) =>
        string.Concat(Split(path).Select(element => element[..2] switch
        {
            "f:" => "." + element[2..],
            "k:" => "[" + string.Join(',', JsonNode.Parse(element[2..])!.AsObject()
                .Select(p => $"{p.Key}={Encode(p.Value)}")) + "]",
            "v:" => "[=" + element[2..] + "]",
            _ => "[" + element[2..] + "]",
        }));

    public bool Add(string path) => paths.Add(path);

    public bool Remove(string path) => paths.Remove(path);

    public bool Contains(string path) => paths.Contains(path);

    /// <summary>True when the set holds the path itself or anything beneath it.</summary>
    public bool Covers(string path) =>
        paths.Contains(path) || paths.Any(p => p.StartsWith(path + Separator, StringComparison.Ordinal));

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is not null)
        {
            Read(fields, [], set);
        }

        return set;
    }

    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        var members = new List<JsonObject>();
        foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var node = root;
            foreach (var element in Split(path))
            {
                if (node[element] is not JsonObject child)
                {
                    child = [];
                    node[element] = child;
                }

                node = child;
            }

            members.Add(node);
        }

        // A member that also has owned children is marked with "." so it is not lost.
        foreach (var member in members.Where(m => m.Count > 0 && !m.ContainsKey(".")))
        {
            member["."] = new JsonObject();
        }

        return Sorted(root);
    }

    private static void Read(JsonObject node, List<string> prefix, FieldSet set)
    {
        foreach (var (key, value) in node)
        {
            if (key == ".")
            {
                set.Add(Join(prefix));
                continue;
            }

            prefix.Add(key);
            if (value is JsonObject child && child.Count > 0)
            {
                Read(child, prefix, set);
            }
            else
            {
                set.Add(Join(prefix));
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    // Kubernetes emits keys in sorted order, which puts "." first.
    private static JsonObject Sorted(JsonObject node)
    {
        var result = new JsonObject();
        foreach (var (key, value) in node.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result[key] = value is JsonObject child ? Sorted(child) : value?.DeepClone();
        }

        return result;
    }
}
