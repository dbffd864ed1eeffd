using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Patching;
using ErieCanal.Orleans.Sandbox.Printing;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Selectors;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>The verbs of the resource API: get, list, watch, create, update, patch, delete, deletecollection.</summary>
public sealed class ResourceHandler(SandboxCluster cluster)
{
    private ObjectStore Store => cluster.Store;

    public async Task HandleAsync(HttpContext context, RequestTarget target)
    {
        var type = cluster.Catalog.Find(target.Group, target.Version, target.Resource)
            ?? throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({target.Resource}.{target.Group})");
        if (!type.Namespaced && target.Namespace is not null)
        {
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource: {type.Plural} is cluster-scoped");
        }

        if (target.Subresource is not null && !(target.Subresource == "status" && type.HasStatus) && !(target.Subresource == "scale" && type.Scale is not null)
            && !(target.Subresource == "finalize" && type.Kind == "Namespace"))
        {
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({target.Subresource} of {type.Plural})");
        }

        var ns = type.Namespaced ? target.Namespace : null;
        var method = context.Request.Method;
        var query = context.Request.Query;
        if (target.Name is null)
        {
            switch (method)
            {
                case "GET" when IsTrue(query["watch"]):
                    await new WatchStreamer(cluster).StreamAsync(context, type, ns, null);
                    return;
                case "GET":
                    await ListAsync(context, type, ns);
                    return;
                case "POST":
                    await CreateAsync(context, type, ns);
                    return;
                case "DELETE":
                    await DeleteCollectionAsync(context, type, ns);
                    return;
                default:
                    throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method})");
            }
        }

        if (type.Namespaced && ns is null)
        {
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource: {type.Plural} are namespaced");
        }

        switch (method)
        {
            case "GET" when target.Subresource is null && WantsTable(context.Request):
                // kubectl get <kind> <name> asks for a Table too; without one it falls back to NAME and AGE only.
                var single = Get(type, ns ?? "", target.Name);
                await WriteJsonAsync(context, 200, TableBuilder.Build(type.Group, type.Kind, type.PrinterColumns, [single],
                    single["metadata"]?["resourceVersion"]?.GetValue<string>(), null, query["includeObject"].FirstOrDefault() ?? "Metadata", Store.Now));
                return;
            case "GET":
                await WriteJsonAsync(context, 200, Present(type, target.Subresource, Get(type, ns ?? "", target.Name)));
                return;
            case "PUT":
                await UpdateAsync(context, type, ns ?? "", target.Name, target.Subresource);
                return;
            case "PATCH":
                await PatchAsync(context, type, ns ?? "", target.Name, target.Subresource);
                return;
            case "DELETE" when target.Subresource is null:
                await DeleteAsync(context, type, ns ?? "", target.Name);
                return;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method})");
        }
    }

    private JsonObject Get(ResourceType type, string ns, string name) =>
        Store.Get(type.StorageKey, ns, name) is { } obj ? AsVersion(type, obj) : throw ApiException.NotFound(type.Group, type.Plural, name);

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.Kind);
        var limit = ParseInt(query["limit"], "limit") ?? 0;
        var (items, revision) = Store.List(type.StorageKey, ns);
        var start = 0;
        if (!string.IsNullOrEmpty(query["continue"]))
        {
            (revision, var startKey) = ContinueToken.Decode(query["continue"]!);
            if (revision < Store.CompactedRevision)
            {
                throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }

            start = items.FindIndex(o => string.CompareOrdinal(Key(o), startKey) > 0);
            start = start < 0 ? items.Count : start;
        }

        var selected = new List<JsonObject>();
        string? next = null;
        for (var i = start; i < items.Count; i++)
        {
            var item = items[i];
            if (!labels.Matches(item) || !fields.Matches(item))
            {
                continue;
            }

            if (limit > 0 && selected.Count == limit)
            {
                next = ContinueToken.Encode(revision, Key(selected[^1]));
                break;
            }

            selected.Add(item);
        }

        var rv = revision.ToString(CultureInfo.InvariantCulture);
        if (WantsTable(context.Request))
        {
            var table = TableBuilder.Build(type.Group, type.Kind, type.PrinterColumns, selected.Select(o => AsVersion(type, o)), rv, next,
                query["includeObject"].FirstOrDefault() ?? "Metadata", Store.Now);
            await WriteJsonAsync(context, 200, table);
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = next is null ? new JsonObject { ["resourceVersion"] = rv } : new JsonObject { ["resourceVersion"] = rv, ["continue"] = next },
        };
        await WriteListAsync(context, list, selected.Select(o => AsVersion(type, o)));
    }

    private async Task CreateAsync(HttpContext context, ResourceType type, string? ns)
    {
        var obj = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var query = context.Request.Query;
        var dryRun = IsDryRun(query);
        ObjectRules.ValidateIdentity(type, obj, ns, null, creating: true);
        var objectNs = type.Namespaced ? obj["metadata"]!["namespace"]?.GetValue<string>() ?? throw ApiException.BadRequest("a namespace is required for namespaced resources") : "";
        EnsureNamespaceWritable(objectNs);
        var warnings = Admit(type, obj, null, query["fieldValidation"]);
        StripServerFields(obj);
        var metadata = obj["metadata"]!.AsObject();
        metadata["generation"] = 1;
        if (type.HasStatus && type.IsCustom)
        {
            obj.Remove("status");
        }

        ManagedFields.RecordUpdate(null, obj, FieldManager(context), "Update", null, Store.Now, ListRules(type));
        var created = Store.Create(type.StorageKey, objectNs, obj, dryRun);
        AddWarnings(context, warnings);
        await WriteJsonAsync(context, 201, AsVersion(type, created));
    }

    private async Task UpdateAsync(HttpContext context, ResourceType type, string ns, string name, string? subresource)
    {
        var body = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var query = context.Request.Query;
        if (subresource == "scale")
        {
            var replicas = JsonTree.GetInt64(body, "spec", "replicas") ?? throw ApiException.BadRequest("spec.replicas is required in a Scale");
            var scaled = Store.Update(type.StorageKey, ns, name, current =>
            {
                CheckResourceVersion(type, current, body);
                JsonTree.EnsureObject(current, "spec")["replicas"] = replicas;
                BumpGeneration(type, current, current);
                return current;
            }, IsDryRun(query));
            await WriteJsonAsync(context, 200, Present(type, "scale", scaled));
            return;
        }

        ObjectRules.ValidateIdentity(type, body, type.Namespaced ? ns : null, name, creating: false);
        var manager = FieldManager(context);
        var updated = Store.Update(type.StorageKey, ns, name, current =>
        {
            CheckResourceVersion(type, current, body);
            var next = MergeForWrite(type, current, body, subresource, query["fieldValidation"], context);
            ManagedFields.RecordUpdate(current, next, manager, "Update", subresource, Store.Now, ListRules(type));
            return FinishIfDeleting(next);
        }, IsDryRun(query));
        await WriteJsonAsync(context, 200, Present(type, subresource, updated));
    }

    private async Task PatchAsync(HttpContext context, ResourceType type, string ns, string name, string? subresource)
    {
        var patchType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var patch = await RequestBody.ReadAsync(context.Request, context.RequestAborted) ?? throw ApiException.BadRequest("the patch body is empty");
        var query = context.Request.Query;
        var manager = query["fieldManager"].FirstOrDefault();
        var dryRun = IsDryRun(query);
        if (patchType == "application/apply-patch+yaml" || patchType == "application/apply-patch+json")
        {
            await ApplyAsync(context, type, ns, name, subresource, patch as JsonObject ?? throw ApiException.BadRequest("an apply patch must be an object"), manager, dryRun);
            return;
        }

        if (patchType == "application/strategic-merge-patch+json" && type.IsCustom)
        {
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        var updated = Store.Update(type.StorageKey, ns, name, current =>
        {
            var view = Present(type, subresource, AsVersion(type, current));
            JsonNode patched;
            try
            {
                patched = patchType switch
                {
                    "application/merge-patch+json" => JsonMergePatch.Apply(view, patch) ?? throw ApiException.BadRequest("a merge patch may not delete the whole object"),
                    "application/json-patch+json" => JsonPatch.Apply(view, patch as JsonArray ?? throw ApiException.BadRequest("a JSON patch must be an array of operations")),
                    "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(view, patch as JsonObject ?? throw ApiException.BadRequest("a strategic merge patch must be an object"), type.ApiVersion, type.Kind),
                    _ => throw ApiException.UnsupportedMediaType(patchType),
                };
            }
            catch (PatchException ex)
            {
                throw new ApiException(422, "Invalid", ex.Message);
            }

            if (patched is not JsonObject patchedObject)
            {
                throw ApiException.BadRequest("the patched document is not an object");
            }

            if (subresource == "scale")
            {
                var replicas = JsonTree.GetInt64(patchedObject, "spec", "replicas") ?? 0;
                JsonTree.EnsureObject(current, "spec")["replicas"] = replicas;
                return current;
            }

            ObjectRules.ValidateIdentity(type, patchedObject, type.Namespaced ? ns : null, name, creating: false);
            CheckResourceVersion(type, current, patchedObject);
            var next = MergeForWrite(type, current, patchedObject, subresource, query["fieldValidation"], context);
            ManagedFields.RecordUpdate(current, next, manager ?? DefaultManager(context), "Update", subresource, Store.Now, ListRules(type));
            return FinishIfDeleting(next);
        }, dryRun);
        await WriteJsonAsync(context, 200, Present(type, subresource, updated));
    }

    private async Task ApplyAsync(HttpContext context, ResourceType type, string ns, string name, string? subresource, JsonObject applied, string? manager, bool dryRun)
    {
        if (string.IsNullOrEmpty(manager))
        {
            throw ApiException.Invalid("PatchOptions", "meta.k8s.io", "", [("fieldManager", "Required value: is required for apply patch")]);
        }

        var force = IsTrue(context.Request.Query["force"]);
        ObjectRules.ValidateIdentity(type, applied, type.Namespaced ? ns : null, name, creating: true);
        applied["metadata"]!["name"] = name;
        try
        {
            if (Store.Get(type.StorageKey, ns, name) is null && subresource is null)
            {
                EnsureNamespaceWritable(ns);
                var created = ServerSideApply.Apply(null, applied, manager, force, Store.Now, ListRules(type));
                var warnings = Admit(type, created, null, context.Request.Query["fieldValidation"]);
                StripServerFields(created);
                created["metadata"]!["generation"] = 1;
                JsonObject? stored = null;
                try
                {
                    stored = Store.Create(type.StorageKey, ns, created, dryRun);
                }
                catch (ApiException race) when (race.Reason == "AlreadyExists")
                {
                    // Another apply created it first: apply is an upsert, so this one updates it instead.
                }

                if (stored is not null)
                {
                    AddWarnings(context, warnings);
                    await WriteJsonAsync(context, 201, AsVersion(type, stored));
                    return;
                }
            }

            var updated = Store.Update(type.StorageKey, ns, name, current =>
            {
                var merged = ServerSideApply.Apply(AsVersion(type, current), applied, manager, force, Store.Now, ListRules(type), subresource);
                var next = MergeForWrite(type, current, merged, subresource, context.Request.Query["fieldValidation"], context);
                next["metadata"]!["managedFields"] = merged["metadata"]?["managedFields"]?.DeepClone();
                return FinishIfDeleting(next);
            }, dryRun);
            await WriteJsonAsync(context, 200, Present(type, subresource, updated));
        }
        catch (ApplyConflictException ex)
        {
            var details = new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
                ["causes"] = new JsonArray(ex.Conflicts.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = "FieldManagerConflict",
                    ["message"] = $"conflict with \"{c.Manager}\"",
                    ["field"] = c.Field,
                }).ToArray()),
            };
            throw new ApiException(409, "Conflict", ex.Message, details);
        }
    }

    private async Task DeleteAsync(HttpContext context, ResourceType type, string ns, string name)
    {
        var options = await RequestBody.ReadAsync(context.Request, context.RequestAborted) as JsonObject;
        var dryRun = IsDryRun(context.Request.Query) || options?["dryRun"] is JsonArray { Count: > 0 };
        var result = DeleteOne(type, ns, name, options, dryRun);
        await WriteJsonAsync(context, 200, AsVersion(type, result));
    }

    /// <summary>Deletes now, or marks for deletion when finalizers remain (the finalizers' owners finish the job).</summary>
    public JsonObject DeleteOne(ResourceType type, string ns, string name, JsonObject? options, bool dryRun)
    {
        var preconditions = options?["preconditions"] as JsonObject;
        var propagation = options?["propagationPolicy"]?.GetValue<string>() ?? "Background";
        return Store.Update(type.StorageKey, ns, name, current =>
        {
            var metadata = current["metadata"]!.AsObject();
            if (preconditions?["uid"]?.GetValue<string>() is { } uid && uid != metadata["uid"]?.GetValue<string>())
            {
                throw ApiException.Conflict(type.Group, type.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {metadata["uid"]}");
            }

            if (preconditions?["resourceVersion"]?.GetValue<string>() is { } rv && rv != metadata["resourceVersion"]?.GetValue<string>())
            {
                throw ApiException.Conflict(type.Group, type.Plural, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {metadata["resourceVersion"]}");
            }

            var finalizers = metadata["finalizers"] as JsonArray ?? [];
            if (propagation == "Foreground" && !finalizers.Any(f => f?.GetValue<string>() == "foregroundDeletion"))
            {
                finalizers.Add("foregroundDeletion");
                metadata["finalizers"] = finalizers;
            }

            var namespaceFinalizers = type.Kind == "Namespace" && current["spec"]?["finalizers"] is JsonArray { Count: > 0 };
            if (type.Kind == "Pod" && cluster.Kubelet.DeletionGracePeriod(current, options) is { } grace)
            {
                // A pod on a node is deleted gracefully: marked, and gone once its kubelet has stopped it.
                var already = JsonTree.GetInt64(metadata, "deletionGracePeriodSeconds");
                metadata["deletionTimestamp"] ??= ObjectStore.FormatTime(Store.Now.AddSeconds(grace));
                metadata["deletionGracePeriodSeconds"] = already is { } shorter && shorter < grace ? shorter : grace;
                return current;
            }

            if (finalizers.Count == 0 && !namespaceFinalizers)
            {
                return null;
            }

            metadata["deletionTimestamp"] ??= ObjectStore.FormatTime(Store.Now);
            metadata["deletionGracePeriodSeconds"] ??= 0;
            if (type.Kind == "Namespace")
            {
                JsonTree.EnsureObject(current, "status")["phase"] = "Terminating";
            }

            return current;
        }, dryRun);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var options = await RequestBody.ReadAsync(context.Request, context.RequestAborted) as JsonObject;
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], type.Kind);
        var dryRun = IsDryRun(context.Request.Query);
        var deleted = new List<JsonObject>();
        foreach (var item in Store.List(type.StorageKey, ns).Items.Where(o => labels.Matches(o) && fields.Matches(o)))
        {
            try
            {
                deleted.Add(DeleteOne(type, item["metadata"]?["namespace"]?.GetValue<string>() ?? "", item["metadata"]!["name"]!.GetValue<string>(), options, dryRun));
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Deleted concurrently: a collection delete is best-effort per item, as on a real server.
            }
        }

        var list = new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
        };
        await WriteListAsync(context, list, deleted.Select(o => AsVersion(type, o)));
    }

    /// <summary>
    /// Turns a client's desired object into the next stored object: status and spec split by subresource,
    /// immutable metadata kept, schema admission, generation bumped on spec changes.
    /// </summary>
    private JsonObject MergeForWrite(ResourceType type, JsonObject current, JsonObject desired, string? subresource, string? fieldValidation, HttpContext context)
    {
        JsonObject next;
        if (subresource == "status")
        {
            next = JsonTree.Clone(current);
            if (desired["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
            else
            {
                next.Remove("status");
            }

            // The status subresource prunes and validates as the main resource does: unknown status fields go.
            AddWarnings(context, AdmitSchema(type, next, fieldValidation));
        }
        else
        {
            next = JsonTree.Clone(desired);
            if (type.HasStatus)
            {
                if (current["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
                else
                {
                    next.Remove("status");
                }
            }

            var metadata = next["metadata"]!.AsObject();
            foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace" })
            {
                if (current["metadata"]?[field] is { } kept)
                {
                    metadata[field] = kept.DeepClone();
                }
                else
                {
                    metadata.Remove(field);
                }
            }

            if (current["metadata"]?["deletionTimestamp"] is not null && metadata["finalizers"] is JsonArray added
                && added.Any(f => !(current["metadata"]?["finalizers"] as JsonArray ?? []).Any(c => JsonNode.DeepEquals(c, f))))
            {
                throw ApiException.Invalid(type.Kind, type.Group, metadata["name"]!.GetValue<string>(),
                    [("metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted")]);
            }

            AddWarnings(context, Admit(type, next, current, fieldValidation));
        }

        BumpGeneration(type, current, next);
        return next;
    }

    /// <summary>Defaults, prunes and validates a write; returns warnings for unknown fields under fieldValidation=Warn.</summary>
    private List<string> Admit(ResourceType type, JsonObject obj, JsonObject? current, string? fieldValidation)
    {
        if (type is { Kind: "Service", IsCustom: false } && current is not null)
        {
            ServiceRules.DropTypeDependentFields(obj, current);
        }

        ObjectRules.ApplyDefaults(type, obj, cluster.ServiceIps, creating: current is null);
        if (type is { Kind: "Service", IsCustom: false } && current is not null && JsonTree.GetString(obj, "spec", "type") != "ExternalName")
        {
            // clusterIP is immutable once allocated.
            var spec = JsonTree.EnsureObject(obj, "spec");
            spec["clusterIP"] ??= current["spec"]?["clusterIP"]?.DeepClone();
            spec["clusterIPs"] ??= current["spec"]?["clusterIPs"]?.DeepClone();
        }

        KindAdmission.Admit(type, obj, current);
        var warnings = AdmitSchema(type, obj, fieldValidation);
        ObjectRules.ValidateSpec(type, obj);
        return warnings;
    }

    /// <summary>Prunes (or, under fieldValidation=Strict, refuses) unknown fields, defaults and validates by the CRD schema.</summary>
    private static List<string> AdmitSchema(ResourceType type, JsonObject obj, string? fieldValidation)
    {
        var warnings = new List<string>();
        if (type.Schema is { } schema)
        {
            var unknown = StructuralSchema.Prune(obj, schema);
            if (unknown.Count > 0)
            {
                switch ((fieldValidation ?? "Warn").ToLowerInvariant())
                {
                    case "strict":
                        var fields = string.Join(", ", unknown.Select(u => $"unknown field \"{u.TrimStart('.')}\""));
                        throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {fields}");
                    case "warn":
                        warnings.AddRange(unknown.Select(u => $"unknown field \"{u.TrimStart('.')}\""));
                        break;
                }
            }

            StructuralSchema.ApplyDefaults(obj, schema);
            var causes = StructuralSchema.Validate(obj, schema);
            if (causes.Count > 0)
            {
                throw ApiException.Invalid(type.Kind, type.Group, obj["metadata"]?["name"]?.GetValue<string>() ?? "", causes);
            }
        }

        return warnings;
    }

    private static void BumpGeneration(ResourceType type, JsonObject current, JsonObject next)
    {
        var generation = JsonTree.GetInt64(current, "metadata", "generation") ?? 1;
        var changed = next.Any(p => p.Key is not ("metadata" or "status" or "apiVersion" or "kind") && !JsonNode.DeepEquals(p.Value, current[p.Key]))
            || current.Any(p => p.Key is not ("metadata" or "status" or "apiVersion" or "kind") && !next.ContainsKey(p.Key));
        next["metadata"]!["generation"] = changed ? generation + 1 : generation;
    }

    /// <summary>An update that removes the last finalizer of an object being deleted completes the deletion.</summary>
    private static JsonObject? FinishIfDeleting(JsonObject next)
    {
        var metadata = next["metadata"]!.AsObject();
        var namespaceFinalizers = next["kind"]?.GetValue<string>() == "Namespace" && next["spec"]?["finalizers"] is JsonArray { Count: > 0 };
        return metadata["deletionTimestamp"] is not null && metadata["finalizers"] is not JsonArray { Count: > 0 } && !namespaceFinalizers ? null : next;
    }

    private static void CheckResourceVersion(ResourceType type, JsonObject current, JsonObject desired)
    {
        var wanted = desired["metadata"]?["resourceVersion"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(wanted) && wanted != current["metadata"]?["resourceVersion"]?.GetValue<string>())
        {
            throw ApiException.Conflict(type.Group, type.Plural, current["metadata"]?["name"]?.GetValue<string>() ?? "",
                "the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    private void EnsureNamespaceWritable(string ns)
    {
        if (ns.Length == 0)
        {
            return;
        }

        var namespaceObject = Store.Get("namespaces", "", ns) ?? throw ApiException.NotFound("", "namespaces", ns);
        if (namespaceObject["metadata"]?["deletionTimestamp"] is not null)
        {
            throw new ApiException(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["name"] = ns, ["kind"] = "namespaces", ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["field"] = "metadata.namespace" }) });
        }
    }

    private static void StripServerFields(JsonObject obj)
    {
        var metadata = obj["metadata"]!.AsObject();
        foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            metadata.Remove(field);
        }
    }

    /// <summary>Objects are stored once per resource; each served version sees its own apiVersion.</summary>
    private static JsonObject AsVersion(ResourceType type, JsonObject obj)
    {
        if (obj["apiVersion"]?.GetValue<string>() == type.ApiVersion)
        {
            return obj;
        }

        var copy = JsonTree.Clone(obj);
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    private static JsonObject Present(ResourceType type, string? subresource, JsonObject obj) =>
        subresource == "scale" ? ScaleOf(type, obj) : obj;

    private static JsonObject ScaleOf(ResourceType type, JsonObject obj)
    {
        var metadata = obj["metadata"]!;
        var selector = obj["spec"]?["selector"]?["matchLabels"] is JsonObject labels
            ? string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}"))
            : "";
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = JsonTree.GetInt64(obj, "spec", "replicas") ?? 0 },
            ["status"] = new JsonObject { ["replicas"] = JsonTree.GetInt64(obj, "status", "replicas") ?? 0, ["selector"] = selector },
        };
    }

    private static string Key(JsonObject obj) =>
        $"{obj["metadata"]?["namespace"]?.GetValue<string>()}/{obj["metadata"]?["name"]?.GetValue<string>()}";

    private static string FieldManager(HttpContext context) =>
        context.Request.Query["fieldManager"].FirstOrDefault() is { Length: > 0 } manager ? manager : DefaultManager(context);

    private static string DefaultManager(HttpContext context)
    {
        var agent = context.Request.Headers.UserAgent.ToString();
        var name = agent.Split('/', ' ')[0];
        return name.Length == 0 ? "unknown" : name;
    }

    /// <summary>A custom resource's list rules come from its schema; null lets a built-in kind use its own.</summary>
    private static PatchSchema? ListRules(ResourceType type) =>
        type.IsCustom && type.Schema is { } schema ? PatchSchema.ForStructural(schema) : null;

    private static bool IsDryRun(IQueryCollection query) => query["dryRun"].Any(v => v == "All");

    internal static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value.Any(v => v is "true" or "1");

    internal static int? ParseInt(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : throw ApiException.BadRequest($"invalid value for {name}: \"{value}\"");
    }

    internal static bool WantsTable(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));

    private static void AddWarnings(HttpContext context, List<string> warnings)
    {
        foreach (var warning in warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    internal static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body, JsonWire.WriterOptions);
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes a list without copying every item into one tree: the items are shared frozen objects.</summary>
    private static async Task WriteListAsync(HttpContext context, JsonObject head, IEnumerable<JsonObject> items)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body, JsonWire.WriterOptions);
        writer.WriteStartObject();
        foreach (var (key, value) in head)
        {
            writer.WritePropertyName(key);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }

        writer.WritePropertyName("items");
        writer.WriteStartArray();
        foreach (var item in items)
        {
            item.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}

/// <summary>Opaque continue tokens for paginated lists: the list's revision and the last key returned.</summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new JsonObject { ["rv"] = revision, ["start"] = lastKey })));

    public static (long Revision, string LastKey) Decode(string token)
    {
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            return (node!["rv"]!.GetValue<long>(), node["start"]!.GetValue<string>());
        }
        catch (Exception ex) when (ex is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest("continue key is not valid: " + ex.Message);
        }
    }
}
