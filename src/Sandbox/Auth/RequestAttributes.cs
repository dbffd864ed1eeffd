using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// What a request asks to do, as kube-apiserver's RequestInfoFactory derives it: a verb on a resource (API group,
/// resource, subresource, name, namespace) or, for any other path, the lowercase HTTP method on a non-resource URL.
/// </summary>
public sealed record RequestAttributes(string Verb, bool IsResourceRequest, string Path, string ApiGroup = "", string ApiVersion = "", string Resource = "",
    string Subresource = "", string Name = "", string Namespace = "")
{
    /// <summary>The streaming subresources whose websocket GET is authorized as create (kube-apiserver ≥ 1.30).</summary>
    private static readonly HashSet<string> ConnectSubresources = ["exec", "attach", "portforward"];

    public static RequestAttributes From(string method, string path, IQueryCollection query)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var target = RequestTarget.Parse(segments);
        if (target is null)
        {
            return new RequestAttributes(method.ToLowerInvariant(), false, path);
        }

        var ns = target.Namespace ?? (target.Resource == "namespaces" ? target.Name : null) ?? "";
        var verb = method switch
        {
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => target.Name is null ? "deletecollection" : "delete",
            "GET" or "HEAD" when target.Subresource is { } sub && ConnectSubresources.Contains(sub) => "create",
            "GET" or "HEAD" when ResourceHandler.IsTrue(query["watch"]) => "watch",
            "GET" or "HEAD" => target.Name is null ? "list" : "get",
            _ => method.ToLowerInvariant(),
        };
        return new RequestAttributes(verb, true, path, target.Group, target.Version, target.Resource, target.Subresource ?? "", target.Name ?? "", ns);
    }

    /// <summary>The resource as RBAC rules name it: "pods" or "pods/log".</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";
}
