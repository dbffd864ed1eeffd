using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Selectors;

/// <summary>The label selector language of the API (<c>a=b,c!=d,e in (f,g),h notin (i),j,!k</c>).</summary>
public sealed partial class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    public static LabelSelector Everything { get; } = new();

    public bool IsEmpty => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTopLevel(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                throw Invalid(text, "empty requirement");
            }

            var setMatch = SetPattern().Match(term);
            if (setMatch.Success)
            {
                var key = ValidKey(setMatch.Groups["key"].Value, text);
                var values = setMatch.Groups["values"].Value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal);
                var negate = setMatch.Groups["op"].Value.Equals("notin", StringComparison.Ordinal);
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) ? values.Contains(v) != negate : negate);
                continue;
            }

            var eqMatch = EqualityPattern().Match(term);
            if (eqMatch.Success)
            {
                var key = ValidKey(eqMatch.Groups["key"].Value.Trim(), text);
                var value = eqMatch.Groups["value"].Value.Trim();
                if (value.Length > 0 && !ValuePattern().IsMatch(value))
                {
                    throw Invalid(text, $"invalid label value: \"{value}\"");
                }

                var notEqual = eqMatch.Groups["op"].Value == "!=";
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) ? (v == value) != notEqual : notEqual);
                continue;
            }

            if (term.StartsWith('!'))
            {
                var key = ValidKey(term[1..].Trim(), text);
                selector._requirements.Add(labels => !labels.ContainsKey(key));
                continue;
            }

            var exists = ValidKey(term, text);
            selector._requirements.Add(labels => labels.ContainsKey(exists));
        }

        return selector;
    }

    /// <summary>Builds a selector from a <c>matchLabels</c> map, as a Deployment or Service selector is.</summary>
    public static LabelSelector FromMap(JsonObject? matchLabels)
    {
        var selector = new LabelSelector();
        if (matchLabels is null)
        {
            return selector;
        }

        foreach (var (key, value) in matchLabels)
        {
            var expected = value?.GetValue<string>() ?? "";
            selector._requirements.Add(labels => labels.TryGetValue(key, out var v) && v == expected);
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => Matches(Labels(obj));

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.TrueForAll(r => r(labels));

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    result[key] = s;
                }
            }
        }

        return result;
    }

    private static string ValidKey(string key, string text)
    {
        if (!KeyPattern().IsMatch(key))
        {
            throw Invalid(text, $"invalid label key \"{key}\"");
        }

        return key;
    }

    private static ApiException Invalid(string text, string why) =>
        ApiException.BadRequest($"unable to parse requirement: {why} (in selector \"{text}\")");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    [GeneratedRegex(@"^(?<key>[^\s!=(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^(?<key>[^!=]+?)\s*(?<op>==|!=|=)\s*(?<value>[^=]*)$")]
    private static partial Regex EqualityPattern();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex ValuePattern();
}
