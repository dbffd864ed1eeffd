using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>
/// The one owner of one flomesh.io object's status conditions: get, then set the conditions it owns (others'
/// conditions stay), then update the status subresource guarded by the resourceVersion it read, and on a 409
/// conflict get and try again. It remembers what it last read or wrote, so an unchanged state costs no request and
/// a changed one usually costs one. Not thread-safe: one owner (a grain) per object. Objects of other groups
/// (multicluster.x-k8s.io) name theirs with <paramref name="group"/> and <paramref name="version"/>.
/// </summary>
public sealed class ConditionWriter(string plural, string? @namespace, string name, TimeProvider time, int maxAttempts = 5, string group = ClusterResource.Group, string version = ClusterResource.Version)
{
    private static readonly JsonSerializerOptions KubernetesJson = new(JsonSerializerDefaults.Web);

    private Snapshot? _last;

    /// <summary>The conditions as last read or written (empty before the first write).</summary>
    public IReadOnlyList<Condition> Current => _last?.Conditions ?? [];

    /// <summary>Forget what was read, so the next write reads the object again (after a failure, say).</summary>
    public void Forget() => _last = null;

    /// <summary>
    /// The caller saw the object at <paramref name="resourceVersion"/> with no status at all: the next write needs
    /// no read first. Ignored when something was read or written already; a stale version costs a 409 and a read.
    /// </summary>
    public void SeedEmpty(string resourceVersion)
    {
        if (_last is null && !string.IsNullOrEmpty(resourceVersion))
        {
            _last = new Snapshot(resourceVersion, [], new Dictionary<string, JsonNode?>(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Sets <paramref name="updates"/> (and <paramref name="fields"/>, other top-level status fields such as
    /// observedGeneration) and writes them when they change anything. Throws what the API throws (a 404 when the
    /// object is gone); a conflict is retried up to the attempt limit.
    /// </summary>
    public async Task<ConditionChange> WriteAsync(IKubernetes client, IReadOnlyList<ConditionUpdate> updates, IReadOnlyDictionary<string, JsonNode?> fields, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = _last ?? await ReadAsync(client, cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var after = before.Conditions.ToList();
            foreach (var update in updates)
            {
                if (update.Remove)
                {
                    after.RemoveAll(c => c.Type == update.Type);
                    continue;
                }

                after = ConditionList.Set(after, update.Type, update.Text ?? (update.Status ? "True" : "False"), update.Reason, update.Message, update.ObservedGeneration, now);
            }

            if (ConditionList.SameState(after, before.Conditions) && before.Conditions.Count > 0 && fields.All(f => JsonNode.DeepEquals(f.Value, before.Fields.GetValueOrDefault(f.Key))))
            {
                _last = before;
                return new ConditionChange(before.Conditions, before.Conditions, false);
            }

            var status = new JsonObject();
            foreach (var (key, value) in fields)
            {
                status[key] = value?.DeepClone();
            }

            status["conditions"] = JsonSerializer.SerializeToNode(after, KubernetesJson);
            try
            {
                var written = await PatchAsync(client, new JsonObject
                {
                    ["metadata"] = new JsonObject { ["resourceVersion"] = before.ResourceVersion },
                    ["status"] = status,
                }, cancellationToken);
                _last = Parse(written, fields.Keys);
                return new ConditionChange(before.Conditions, after, true);
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex) && attempt < maxAttempts)
            {
                // Someone else wrote the object since we read it: read again and re-apply our conditions on top.
                _last = null;
            }
            catch
            {
                _last = null;
                throw;
            }
        }

        async Task<Snapshot> ReadAsync(IKubernetes c, CancellationToken ct)
        {
            var raw = @namespace is null
                ? await c.CustomObjects.GetClusterCustomObjectAsync(group, version, plural, name, ct)
                : await c.CustomObjects.GetNamespacedCustomObjectAsync(group, version, @namespace, plural, name, ct);
            return Parse(raw, fields.Keys);
        }
    }

    /// <summary>Removes the status this system wrote (conditions and observedGeneration); a missing object is fine.</summary>
    public static async Task ClearAsync(IKubernetes client, string plural, string? @namespace, string name, CancellationToken cancellationToken, string group = ClusterResource.Group, string version = ClusterResource.Version)
    {
        try
        {
            await new ConditionWriter(plural, @namespace, name, TimeProvider.System, group: group, version: version).PatchAsync(client,
                new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = null, ["conditions"] = null } }, cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    private async Task<object> PatchAsync(IKubernetes client, JsonObject body, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        return @namespace is null
            ? await client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, group, version, plural, name, cancellationToken: cancellationToken)
            : await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, group, version, @namespace, plural, name, cancellationToken: cancellationToken);
    }

    private static Snapshot Parse(object raw, IEnumerable<string> fieldNames)
    {
        var node = JsonNode.Parse(raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw));
        var status = node?["status"] as JsonObject;
        var conditions = status?["conditions"]?.Deserialize<List<Condition>>(KubernetesJson) ?? [];
        var fields = fieldNames.ToDictionary(f => f, f => status?[f]?.DeepClone(), StringComparer.Ordinal);
        return new Snapshot(node?["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "", conditions, fields);
    }

    private sealed record Snapshot(string ResourceVersion, List<Condition> Conditions, Dictionary<string, JsonNode?> Fields);
}

/// <summary>
/// One condition an owner sets. <see cref="Text"/> (when set) is the status as written, for "Unknown"; with
/// <see cref="Remove"/> the owner removes the condition instead.
/// </summary>
public sealed record ConditionUpdate(string Type, bool Status, string Reason, string Message, long? ObservedGeneration)
{
    public string? Text { get; init; }

    public bool Remove { get; init; }
}

/// <summary>The conditions before and after a write, and whether anything was written.</summary>
public sealed record ConditionChange(IReadOnlyList<Condition> Before, IReadOnlyList<Condition> After, bool Written);
