using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>The serviceaccounts/token subresource (TokenRequest): <c>kubectl create token</c>, with --duration and --audience.</summary>
public sealed class TokenRequestHandler(ClusterAuth auth, ObjectStore store)
{
    private const long DefaultSeconds = 3600;
    private const long MinimumSeconds = 600;

    public static bool Handles(RequestTarget target) =>
        target is { Group: "", Resource: "serviceaccounts", Subresource: "token", Name: not null, Namespace: not null };

    public async Task HandleAsync(HttpContext context, RequestTarget target)
    {
        if (context.Request.Method != "POST")
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method})");
        }

        var request = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var ns = target.Namespace!;
        var name = target.Name!;
        if (store.Get("serviceaccounts", ns, name) is null)
        {
            throw ApiException.NotFound("", "serviceaccounts", name);
        }

        var spec = request["spec"] as JsonObject ?? [];
        var seconds = JsonTree.GetInt64(spec, "expirationSeconds") ?? DefaultSeconds;
        if (seconds < MinimumSeconds)
        {
            throw ApiException.Invalid("TokenRequest", "authentication.k8s.io", name,
                [("spec.expirationSeconds", $"Invalid value: {seconds}: may not specify a duration less than 10 minutes")]);
        }

        var audiences = (spec["audiences"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").Where(a => a.Length > 0).ToList() is { Count: > 0 } given
            ? given
            : [ServiceAccountTokens.Issuer];
        string? podName = null, podUid = null;
        if (spec["boundObjectRef"] is JsonObject bound && bound["kind"]?.GetValue<string>() == "Pod")
        {
            podName = bound["name"]?.GetValue<string>();
            podUid = bound["uid"]?.GetValue<string>() ?? store.Get("pods", ns, podName ?? "")?["metadata"]?["uid"]?.GetValue<string>();
        }

        var token = auth.Tokens.Issue(ns, name, audiences, TimeSpan.FromSeconds(seconds), podName, podUid);
        var answer = new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null },
            ["spec"] = new JsonObject
            {
                ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()),
                ["expirationSeconds"] = seconds,
                ["boundObjectRef"] = spec["boundObjectRef"]?.DeepClone(),
            },
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = ObjectStore.FormatTime(store.Now.AddSeconds(seconds)),
            },
        };
        await ResourceHandler.WriteJsonAsync(context, 201, answer);
    }
}
