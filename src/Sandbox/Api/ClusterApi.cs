using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Exec;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>The HTTP front of one sandbox cluster: faults, authentication, then discovery, OpenAPI or a resource verb.</summary>
public sealed class ClusterApi(SandboxCluster cluster)
{
    private readonly ResourceHandler _resources = new(cluster);
    private readonly PodExecHandler _exec = new(cluster);

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
            if (!IsPublic(path) && !Authenticated(context))
            {
                throw new ApiException(401, "Unauthorized", "Unauthorized");
            }

            await RouteAsync(context, path);
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

    private async Task RouteAsync(HttpContext context, string path)
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
                await Ok(context, Discovery.CoreVersions($"127.0.0.1:{cluster.Port}"));
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
        if (PodExecHandler.Handles(target))
        {
            await _exec.HandleAsync(context, target);
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
