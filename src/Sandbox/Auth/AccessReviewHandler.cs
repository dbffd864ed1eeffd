using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// The create-only review kinds: SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview and
/// SelfSubjectRulesReview (kubectl auth can-i [--list]), SelfSubjectReview (kubectl auth whoami) and TokenReview.
/// Each is answered, never stored.
/// </summary>
public sealed class AccessReviewHandler(ClusterAuth auth)
{
    private static readonly HashSet<string> Reviews =
        ["selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews", "tokenreviews"];

    public static bool Handles(RequestTarget target) =>
        target.Group is "authorization.k8s.io" or "authentication.k8s.io" && target.Version == "v1" && Reviews.Contains(target.Resource);

    public async Task HandleAsync(HttpContext context, RequestTarget target, UserInfo user)
    {
        if (context.Request.Method != "POST" || target.Name is not null)
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method})");
        }

        var review = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var spec = review["spec"] as JsonObject ?? [];
        var status = target.Resource switch
        {
            "selfsubjectaccessreviews" => Access(user, spec),
            "subjectaccessreviews" => Access(SubjectOf(spec), spec),
            "localsubjectaccessreviews" => Local(target, spec),
            "selfsubjectrulesreviews" => Rules(user, spec),
            "selfsubjectreviews" => new JsonObject { ["userInfo"] = Describe(user) },
            _ => TokenReview(spec),
        };
        var kind = review["kind"]?.GetValue<string>() is { Length: > 0 } k ? k : KindOf(target.Resource);
        var answer = new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = $"{target.Group}/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        };
        if (target.Namespace is not null)
        {
            answer["metadata"]!["namespace"] = target.Namespace;
        }

        await ResourceHandler.WriteJsonAsync(context, 201, answer);
    }

    private JsonObject Local(RequestTarget target, JsonObject spec)
    {
        var ns = spec["resourceAttributes"]?["namespace"]?.GetValue<string>() ?? "";
        if (ns != target.Namespace)
        {
            throw ApiException.Invalid("LocalSubjectAccessReview", "authorization.k8s.io", "",
                [("spec.resourceAttributes.namespace", $"Invalid value: \"{ns}\": must match metadata.namespace")]);
        }

        return Access(SubjectOf(spec), spec);
    }

    private JsonObject Access(UserInfo subject, JsonObject spec)
    {
        RequestAttributes request;
        if (spec["resourceAttributes"] is JsonObject resource)
        {
            request = new RequestAttributes(Str(resource, "verb"), true, "", Str(resource, "group"), Str(resource, "version"), Str(resource, "resource"),
                Str(resource, "subresource"), Str(resource, "name"), Str(resource, "namespace"));
        }
        else if (spec["nonResourceAttributes"] is JsonObject nonResource)
        {
            request = new RequestAttributes(Str(nonResource, "verb"), false, Str(nonResource, "path"));
        }
        else
        {
            throw ApiException.Invalid("SelfSubjectAccessReview", "authorization.k8s.io", "",
                [("spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
        }

        var (allowed, reason) = auth.Decide(subject, request);
        var status = new JsonObject { ["allowed"] = allowed };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }

        return status;
    }

    private JsonObject Rules(UserInfo user, JsonObject spec)
    {
        var ns = Str(spec, "namespace");
        var rules = user.Groups.Contains(UserInfo.Masters)
            ? [new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") }, new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") }]
            : auth.Authorizer.RulesFor(user, ns).ToList();
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            if (rule["nonResourceURLs"] is JsonArray urls)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone(), ["nonResourceURLs"] = urls.DeepClone() });
            }
            else
            {
                var copy = new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone(), ["apiGroups"] = rule["apiGroups"]?.DeepClone(), ["resources"] = rule["resources"]?.DeepClone() };
                if (rule["resourceNames"] is JsonArray names)
                {
                    copy["resourceNames"] = names.DeepClone();
                }

                resourceRules.Add(copy);
            }
        }

        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
    }

    private JsonObject TokenReview(JsonObject spec)
    {
        var token = Str(spec, "token");
        var audiences = (spec["audiences"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").ToList() is { Count: > 0 } given ? given : [ServiceAccountTokens.Issuer];
        UserInfo? user = null;
        try
        {
            user = audiences.Select(a => auth.Tokens.Verify(token, a)).FirstOrDefault(u => u is not null)
                ?? (audiences.Contains(ServiceAccountTokens.Issuer) ? auth.Authenticate($"Bearer {token}") : null);
        }
        catch (ApiException)
        {
            // Not a token of this cluster: the review says so, it does not fail.
        }

        return user is null
            ? new JsonObject { ["user"] = new JsonObject(), ["error"] = "[invalid bearer token, token lookup failed]" }
            : new JsonObject { ["authenticated"] = true, ["user"] = Describe(user), ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()) };
    }

    private static UserInfo SubjectOf(JsonObject spec)
    {
        var extra = (spec["extra"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)(kv.Value as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "").ToList());
        var groups = (spec["groups"] as JsonArray ?? []).Select(g => g?.GetValue<string>() ?? "").ToList();
        return new UserInfo(Str(spec, "user"), groups, Str(spec, "uid"), extra);
    }

    private static JsonObject Describe(UserInfo user)
    {
        var info = new JsonObject
        {
            ["username"] = user.Name,
            ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)g).ToArray()),
        };
        if (user.Uid.Length > 0)
        {
            info["uid"] = user.Uid;
        }

        if (user.Extra is { Count: > 0 } extra)
        {
            info["extra"] = new JsonObject(extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode?)v).ToArray()))));
        }

        return info;
    }

    private static string KindOf(string resource) => resource switch
    {
        "selfsubjectaccessreviews" => "SelfSubjectAccessReview",
        "subjectaccessreviews" => "SubjectAccessReview",
        "localsubjectaccessreviews" => "LocalSubjectAccessReview",
        "selfsubjectrulesreviews" => "SelfSubjectRulesReview",
        "selfsubjectreviews" => "SelfSubjectReview",
        _ => "TokenReview",
    };

    private static string Str(JsonObject obj, string key) => obj[key]?.GetValue<string>() ?? "";
}
