using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Field ownership bookkeeping for non-apply writes (create, update, patch).</summary>
public static class ManagedFields
{
    /// <summary>
    /// Gives <paramref name="manager"/> ownership of every field that differs between
    /// <paramref name="before"/> and <paramref name="after"/>, updating metadata.managedFields of
    /// <paramref name="after"/> in place. Existing entries come from <paramref name="after"/> when it
    /// carries any, otherwise from <paramref name="before"/>.
    /// </summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string operation, string? subresource, DateTimeOffset now, PatchSchema? schema = null)
    {
        var apiVersion = (string?)after["apiVersion"];
        schema = (schema ?? PatchSchema.For(apiVersion, (string?)after["kind"])).ForApply();
        var status = subresource == "status";
        var afterSet = ObjectFields.Collect(after, schema, status);
        var beforeSet = before is null ? new FieldSet() : ObjectFields.Collect(before, schema, status);

        var changed = afterSet.Paths.Where(p => !ObjectFields.SameValue(before, after, p)).ToList();
        var removed = beforeSet.Paths.Where(p => !afterSet.Contains(p)).ToList();

        var entries = ManagedFieldsEntry.ReadAll(after);
        if (entries.Count == 0)
        {
            entries = ManagedFieldsEntry.ReadAll(before);
        }

        var mine = entries.Find(e => e.Is(manager, operation, subresource));
        foreach (var entry in entries)
        {
            foreach (var path in removed.Concat(entry == mine ? [] : changed))
            {
                entry.Fields.Remove(path);
            }
        }

        if (changed.Count > 0)
        {
            if (mine is null)
            {
                mine = new ManagedFieldsEntry { Manager = manager, Operation = operation, Subresource = subresource };
                entries.Add(mine);
            }

            changed.ForEach(p => mine.Fields.Add(p));
            mine.Touch(apiVersion, now);
        }

        ManagedFieldsEntry.WriteAll(after, entries);
    }
}
