using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Server-side apply (application/apply-patch+yaml) with field ownership tracking.</summary>
public static class ServerSideApply
{
    private const string ApplyOperation = "Apply";

    /// <summary>
    /// Merges <paramref name="applied"/> into <paramref name="live"/> as <paramref name="fieldManager"/>.
    /// Server-maintained metadata (uid, resourceVersion, ...) and status in the applied config are
    /// ignored; the caller checks preconditions and stamps those afterwards.
    /// </summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string fieldManager, bool force, DateTimeOffset now)
    {
        var apiVersion = Text(applied, "apiVersion") ?? Text(live, "apiVersion");
        var schema = PatchSchema.For(apiVersion, Text(applied, "kind") ?? Text(live, "kind"));
        var config = ObjectFields.WithoutUnmanaged(applied);
        var appliedSet = ObjectFields.Collect(config, schema, status: false);

        var result = live?.DeepClone().AsObject() ?? [];
        var entries = ManagedFieldsEntry.ReadAll(result);
        var mine = entries.Find(e => e.Is(fieldManager, ApplyOperation, null));
        var others = entries.Where(e => e != mine).ToList();

        // Sharing a field is fine as long as the applied value matches what is already there.
        var conflicts = others
            .Where(e => e.Manager != fieldManager)
            .SelectMany(e => e.Fields.Paths.Where(p => appliedSet.Contains(p) && !ObjectFields.SameValue(live, config, p))
                .Select(p => (Entry: e, Path: p)))
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            throw new ApplyConflictException(
                ConflictMessage(conflicts),
                [.. conflicts.Select(c => (c.Entry.Manager, FieldSet.Describe(c.Path)))]);
        }

        foreach (var (entry, path) in conflicts)
        {
            entry.Fields.Remove(path);
        }

        result = StrategicMergePatch.Merge(result, config, schema);

        // Fields this manager applied before but dropped now are deleted unless someone else still owns them;
        // shortest first so a dropped list item goes as a whole.
        var dropped = mine?.Fields.Paths.Where(p => !appliedSet.Contains(p) && !others.Any(o => o.Fields.Covers(p))) ?? [];
        foreach (var path in dropped.OrderBy(p => p.Length))
        {
            ObjectFields.Remove(result, path, p => appliedSet.Contains(p) || others.Any(o => o.Fields.Contains(p)));
        }

        if (mine is null)
        {
            mine = new ManagedFieldsEntry { Manager = fieldManager, Operation = ApplyOperation };
            entries.Add(mine);
        }

        mine.Fields = appliedSet;
        mine.Touch(apiVersion, now);
        ManagedFieldsEntry.WriteAll(result, entries);
        return result;
    }

    private static string ConflictMessage(List<(ManagedFieldsEntry Entry, string Path)> conflicts)
    {
        var groups = conflicts.GroupBy(c => c.Entry).Select(g =>
        {
            var fields = g.Select(c => FieldSet.Describe(c.Path)).ToList();
            var who = $"with \"{g.Key.Manager}\" using {g.Key.ApiVersion}";
            return fields.Count == 1
                ? $"conflict {who}: {fields[0]}"
                : $"conflicts {who}:\n" + string.Join('\n', fields.Select(f => "- " + f));
        });
        var noun = conflicts.Count == 1 ? "conflict" : "conflicts";
        return $"Apply failed with {conflicts.Count} {noun}: " + string.Join('\n', groups);
    }

    private static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
