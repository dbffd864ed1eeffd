using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Selectors;

/// <summary>Field selectors (<c>metadata.name=x,status.phase!=Running</c>) over the fields each kind supports.</summary>
public sealed class FieldSelector
{
    private static readonly string[] CommonFields = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<string, string[]> KindFields = new(StringComparer.Ordinal)
    {
        ["Event"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type"],
        ["Pod"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["Secret"] = ["type"],
        ["Namespace"] = ["status.phase"],
        ["ReplicaSet"] = ["status.replicas"],
    };

    private readonly List<(string Path, string Value, bool Negate)> _terms = [];

    public bool IsEmpty => _terms.Count == 0;

    public static FieldSelector Parse(string? text, string kind)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            var path = parts[0].Trim();
            var allowed = CommonFields.Contains(path) || (KindFields.TryGetValue(kind, out var extra) && extra.Contains(path));
            if (!allowed)
            {
                throw ApiException.BadRequest($"field label not supported: {path}");
            }

            selector._terms.Add((path, parts[1].Trim(), negate));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, expected, negate) in _terms)
        {
            JsonNode? current = obj;
            foreach (var segment in path.Split('.'))
            {
                current = current is JsonObject o ? o[segment] : null;
            }

            var actual = current switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => current.ToJsonString(),
            };
            if ((actual == expected) == negate)
            {
                return false;
            }
        }

        return true;
    }
}
