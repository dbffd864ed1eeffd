using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Server-side apply (application/apply-patch+yaml) with field ownership tracking.</summary>
public static class ServerSideApply
{
    private const string ApplyOperation = "Apply";

    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// Merges <paramref name="applied"/> into <paramref name="live"/> as <paramref name="fieldManager"/>.
    /// Server-maintained metadata (uid, resourceVersion, ...) and status in the applied config are
    /// ignored; the caller checks preconditions and stamps those afterwards. Applied to the status subresource
    /// (<paramref name="subresource"/> "status"), only status is taken, under its own managedFields entry.
    /// <paramref name="schema"/> gives the list rules (a CRD's, from its schema); built-in kinds find their own.
    /// </summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string fieldManager, bool force, DateTimeOffset now, PatchSchema? schema = null, string? subresource = null)
    {
        var apiVersion = Text(applied, "apiVersion") ?? Text(live, "apiVersion");
        schema = (schema ?? PatchSchema.For(apiVersion, Text(applied, "kind") ?? Text(live, "kind"))).ForApply();
        var status = subresource == "status";
        var config = status ? ObjectFields.StatusOnly(applied) : ObjectFields.WithoutUnmanaged(applied);
        ObjectFields.FillKeyDefaults(config, "", schema);
        var appliedSet = ObjectFields.Collect(config, schema, status);

        var result = live?.DeepClone().AsObject() ?? [];
        var entries = ManagedFieldsEntry.ReadAll(result);
        var entrySubresource = status ? "status" : null;
        var mine = entries.Find(e => e.Is(fieldManager, ApplyOperation, entrySubresource));
        var others = entries.Where(e => e != mine).ToList();

        // Sharing a field is fine as long as the applied value matches what is already there.
        var conflicts = others
            .Where(e => e.Manager != fieldManager)
            .SelectMany(e => e.Fields.Paths.Where(p => appliedSet.Contains(p) && !ObjectFields.SameValue(live, config, p))
                .Select(p => (Entry: e, Path: p)))
            .ToList();
        // Upgrading from client-side apply: "kubectl" may take fields the last-applied annotation still holds
        // (with the live value) without --force-conflicts, as the API server's lastAppliedManager allows.
        if (conflicts.Count > 0 && !force && !status && fieldManager == "kubectl" && FieldsFromLastApplied(live, schema) is { } allowed
            && conflicts.All(c => allowed.Contains(c.Path)))
        {
            force = true;
        }

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

        // Re-applying the same configuration changes nothing, not even the entry's timestamp, so the write is a no-op.
        var noOp = mine is not null && conflicts.Count == 0 && mine.ApiVersion == apiVersion
            && mine.Fields.Paths.Count == appliedSet.Paths.Count && mine.Fields.Paths.All(appliedSet.Contains) && JsonNode.DeepEquals(result, live);
        if (mine is null)
        {
            mine = new ManagedFieldsEntry { Manager = fieldManager, Operation = ApplyOperation, Subresource = entrySubresource };
            entries.Add(mine);
        }

        mine.Fields = appliedSet;
        if (!noOp)
        {
            mine.Touch(apiVersion, now);
        }
        ManagedFieldsEntry.WriteAll(result, entries);
        return result;
    }

    // As the API server words it: one conflict on one line; several grouped per manager (sorted), each field on
    // a "- " line. An applier is named alone, an updater with the API version it wrote ("x" using apps/v1).
    private static string ConflictMessage(List<(ManagedFieldsEntry Entry, string Path)> conflicts)
    {
        if (conflicts.Count == 1)
        {
            return $"Apply failed with 1 conflict: conflict with {Who(conflicts[0].Entry)}: {FieldSet.Describe(conflicts[0].Path)}";
        }

        var groups = conflicts.GroupBy(c => c.Entry).OrderBy(g => g.Key.Manager, StringComparer.Ordinal).Select(g =>
            $"conflicts with {Who(g.Key)}:\n" + string.Join('\n', g.Select(c => "- " + FieldSet.Describe(c.Path))));
        return $"Apply failed with {conflicts.Count} conflicts: " + string.Join('\n', groups);
    }

    private static string Who(ManagedFieldsEntry entry) =>
        entry.Operation == ApplyOperation ? $"\"{entry.Manager}\"" : $"\"{entry.Manager}\" using {entry.ApiVersion}";

    private static FieldSet? FieldsFromLastApplied(JsonObject? live, PatchSchema schema)
    {
        if (live?["metadata"]?["annotations"]?[LastAppliedAnnotation] is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return null;
        }

        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (lastApplied is null)
        {
            return null;
        }

        var config = ObjectFields.WithoutUnmanaged(lastApplied);
        return new FieldSet(ObjectFields.Collect(config, schema, status: false).Paths.Where(p => ObjectFields.SameValue(live, config, p)));
    }

    private static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
