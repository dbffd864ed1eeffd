using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Faults;

/// <summary>
/// Denied (verb, group, resource) triples of one cluster: a request that needs one is answered 403 in the words of
/// kube-apiserver's RBAC authorizer, as if a rule had been removed from the caller's role. Tests arm it to see how the
/// system reports a missing permission; the sandbox enforces no RBAC on its plain port otherwise.
/// </summary>
public sealed class ForbiddenRules
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string Verb, string Group, string Resource)> _denied = [];

    /// <summary>Denies <paramref name="verb"/> (get, list, watch, create, update, patch, delete) on a resource ("ingresses", or "ingresses/status").</summary>
    public void Deny(string verb, string group, string resource)
    {
        lock (_gate)
        {
            _denied.Add((verb, group, resource));
        }
    }

    public void Allow(string verb, string group, string resource)
    {
        lock (_gate)
        {
            _denied.Remove((verb, group, resource));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _denied.Clear();
        }
    }

    /// <summary>Throws the 403 kube-apiserver would give when the request's verb on its resource is denied.</summary>
    public void Check(HttpRequest request, RequestTarget target)
    {
        var verb = Verb(request, target);
        var resource = target.Subresource is { } sub ? $"{target.Resource}/{sub}" : target.Resource;
        lock (_gate)
        {
            if (_denied.Count == 0 || !_denied.Contains((verb, target.Group, resource)))
            {
                return;
            }
        }

        var qualified = target.Group.Length == 0 ? target.Resource : $"{target.Resource}.{target.Group}";
        var subject = target.Name is { } name ? $"{qualified} \"{name}\"" : qualified;
        var scope = target.Namespace is { } ns ? $"in the namespace \"{ns}\"" : "at the cluster scope";
        var details = new JsonObject { ["group"] = target.Group, ["kind"] = target.Resource };
        if (target.Name is { } named)
        {
            details["name"] = named;
        }

        throw new ApiException(403, "Forbidden",
            $"{subject} is forbidden: User \"system:serviceaccount:sandbox:reconciler\" cannot {verb} resource \"{resource}\" in API group \"{target.Group}\" {scope}",
            details);
    }

    public JsonArray Describe()
    {
        lock (_gate)
        {
            return [.. _denied.Order().Select(d => (JsonNode)new JsonObject { ["verb"] = d.Verb, ["group"] = d.Group, ["resource"] = d.Resource })];
        }
    }

    /// <summary>The RBAC verb of a resource request, as kube-apiserver derives it.</summary>
    public static string Verb(HttpRequest request, RequestTarget target) => request.Method switch
    {
        "GET" or "HEAD" when target.Name is null => string.Equals(request.Query["watch"], "true", StringComparison.OrdinalIgnoreCase) || request.Query["watch"] == "1" ? "watch" : "list",
        "GET" or "HEAD" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when target.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => request.Method.ToLowerInvariant(),
    };
}
