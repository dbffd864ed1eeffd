using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Auth;
using ErieCanal.Orleans.Sandbox.Exec;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>The HTTP front of one sandbox cluster: faults, authentication, then discovery, OpenAPI or a resource verb.</summary>
public sealed class ClusterApi(SandboxCluster cluster)
{
    private readonly ResourceHandler _resources = new(cluster);
    private readonly PodExecHandler _exec = new(cluster);
    private readonly AccessReviewHandler _reviews = new(cluster.Auth);
    private readonly TokenRequestHandler _tokens = new(cluster.Auth, cluster.Store);
    private readonly Containers.PodLogHandler _logs = new(cluster);

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            var faults = cluster.Faults;
            if (faults.Latency > TimeSpan.Zero)
            {
                await Task.Delay(faults.Latency, context.RequestAborted);
            }

            await faults.WaitIfFrozenAsync(context.RequestAborted);
            if (faults.TakeFailure() is { } code)
            {
                if (code == 429)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                throw new ApiException(code, StatusReasons.For(code), $"injected fault: the sandbox cluster {cluster.Name} answers {code}");
            }

            var path = context.Request.Path.Value ?? "/";
            var user = Admit(context, path);
            await RouteAsync(context, path, user);
        }
        catch (ApiException ex)
        {
            if (!context.Response.HasStarted)
            {
                await ResourceHandler.WriteJsonAsync(context, ex.Code, ex.ToStatus());
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // A bug must answer 500 and leave the server serving, never take it down.
            await ResourceHandler.WriteJsonAsync(context, 500, ApiException.BuildStatus(500, "InternalError", $"an internal error occurred: {ex.Message}", null));
        }
    }

    /// <summary>
    /// The user a request runs as. The plain-HTTP port is the old insecure port: the admin, without authorization.
    /// The HTTPS port authenticates the bearer token (or none: anonymous) and asks RBAC.
    /// </summary>
    private UserInfo Admit(HttpContext context, string path)
    {
        if (!SandboxCluster.IsSecure(context))
        {
            return IsPublic(path) || Authenticated(context) ? UserInfo.Admin : throw new ApiException(401, "Unauthorized", "Unauthorized");
        }

        var user = cluster.Auth.Authenticate(context.Request.Headers.Authorization.ToString());
        cluster.Auth.Authorize(user, RequestAttributes.From(context.Request.Method, path, context.Request.Query));
        return user;
    }

    private async Task RouteAsync(HttpContext context, string path, UserInfo user)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var catalog = cluster.Catalog;
        switch (segments)
        {
            case []:
                await Ok(context, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version") });
                return;
            case ["version"]:
                await Ok(context, Discovery.Version());
                return;
            case ["healthz" or "livez" or "readyz", ..]:
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok", context.RequestAborted);
                return;
            case ["api"]:
                await Ok(context, Discovery.CoreVersions($"127.0.0.1:{context.Connection.LocalPort}"));
                return;
            case ["apis"]:
                await Ok(context, Discovery.GroupList(catalog));
                return;
            case ["api", var version]:
                await Ok(context, Discovery.ResourceList(catalog, "", version) ?? throw NotFound(path));
                return;
            case ["apis", var group]:
                await Ok(context, Discovery.GroupDocument(catalog, group) ?? throw NotFound(path));
                return;
            case ["apis", var group, var version]:
                await Ok(context, Discovery.ResourceList(catalog, group, version) ?? throw NotFound(path));
                return;
            case ["openapi", "v2"]:
                if (context.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.Ordinal))
                {
                    context.Response.ContentType = OpenApiDocuments.V2ProtobufMediaType;
                    await context.Response.Body.WriteAsync(OpenApiDocuments.V2Protobuf(), context.RequestAborted);
                    return;
                }

                await Ok(context, OpenApiDocuments.V2());
                return;
            case ["openapi", "v3"]:
                await Ok(context, OpenApiDocuments.Root(catalog));
                return;
            case ["openapi", "v3", "api", var version]:
                await Ok(context, OpenApiDocuments.GroupVersion(catalog, "", version) ?? throw NotFound(path));
                return;
            case ["openapi", "v3", "apis", var group, var version]:
                await Ok(context, OpenApiDocuments.GroupVersion(catalog, group, version) ?? throw NotFound(path));
                return;
        }

        var target = RequestTarget.Parse(segments) ?? throw NotFound(path);
        cluster.Faults.Forbidden.Check(context.Request, target);
        if (AccessReviewHandler.Handles(target))
        {
            await _reviews.HandleAsync(context, target, user);
            return;
        }

        if (TokenRequestHandler.Handles(target))
        {
            await _tokens.HandleAsync(context, target);
            return;
        }

        if (PodExecHandler.Handles(target))
        {
            await _exec.HandleAsync(context, target);
            return;
        }

        if (Containers.PodLogHandler.Handles(target) && await _logs.TryHandleAsync(context, target))
        {
            return;
        }

        await _resources.HandleAsync(context, target);
    }

    private bool Authenticated(HttpContext context)
    {
        // kubectl does not send bearer tokens over plain HTTP, so a request without credentials is served
        // (as the cluster admin); a request that presents the wrong credentials is refused.
        var header = context.Request.Headers.Authorization.ToString();
        return header.Length == 0 || header == $"Bearer {cluster.Token}";
    }

    private static bool IsPublic(string path) =>
        path is "/version" or "/healthz" or "/livez" or "/readyz" || path.StartsWith("/healthz/", StringComparison.Ordinal);

    private static ApiException NotFound(string path) => new(404, "NotFound", $"the server could not find the requested resource (path {path})");

    private static Task Ok(HttpContext context, JsonObject body) => ResourceHandler.WriteJsonAsync(context, 200, body);
}
