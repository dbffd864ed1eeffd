using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Faults;
using ErieCanal.Orleans.Sandbox.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ErieCanal.Orleans.Sandbox.Control;

/// <summary>
/// The sandbox's fault-injection API, on its own loopback port so it keeps answering while a cluster is offline
/// or frozen. Documented in README.md ("Fault injection").
/// </summary>
public sealed class ControlApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlApi(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    public Uri Uri { get; }

    public static async Task<ControlApi> StartAsync(SandboxHost host, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => HandleAsync(host, context));
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ControlApi(app, new Uri(bound));
    }

    private static async Task HandleAsync(SandboxHost host, HttpContext context)
    {
        try
        {
            var segments = (context.Request.Path.Value ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            var method = context.Request.Method;
            if (segments is ["clusters"] && method == "GET")
            {
                await ResourceHandler.WriteJsonAsync(context, 200, new JsonObject
                {
                    ["clusters"] = new JsonArray(host.Clusters.Select(c => (JsonNode)Describe(c)).ToArray()),
                });
                return;
            }

            if (segments is not ["clusters", var name, ..])
            {
                throw new ApiException(404, "NotFound", "control API paths: GET /clusters, GET /clusters/{name}, POST /clusters/{name}/{offline|online|freeze|thaw|latency|fail|drop-watches|forbid|allow|compact|reset|gateway/stop|gateway/start|gateway/blackhole}, POST /clusters/{name}/workloads/{namespace}/{deployment}/fault");
            }

            SandboxCluster cluster;
            try
            {
                cluster = host[name];
            }
            catch (KeyNotFoundException ex)
            {
                throw new ApiException(404, "NotFound", ex.Message);
            }

            // Any content type: curl -d sends form encoding by default, and the body is JSON either way.
            context.Request.ContentType = "application/json";
            var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted) as JsonObject ?? [];
            var query = context.Request.Query;
            int Number(string field, int fallback) =>
                (int?)JsonTreeNumber(body[field]) ?? (int.TryParse(query[field], out var q) ? q : fallback);
            string Text(string field) =>
                body[field]?.GetValue<string>() is { Length: > 0 } text ? text : query[field].ToString() is { Length: > 0 } q ? q : throw ApiException.BadRequest($"{field} is required");

            switch (segments[2..], method)
            {
                case ([], "GET"):
                    break;
                case (["offline"], "POST"):
                    await cluster.GoOfflineAsync(context.RequestAborted);
                    break;
                case (["online"], "POST"):
                    await cluster.GoOnlineAsync(context.RequestAborted);
                    break;
                case (["freeze"], "POST"):
                    cluster.Faults.Freeze();
                    break;
                case (["thaw"], "POST"):
                    cluster.Faults.Thaw();
                    break;
                case (["latency"], "POST"):
                    cluster.Faults.Latency = TimeSpan.FromMilliseconds(Number("ms", 0));
                    break;
                case (["fail"], "POST"):
                    var code = Number("code", 500);
                    if (code is < 400 or > 599)
                    {
                        throw ApiException.BadRequest("code must be a 4xx or 5xx status");
                    }

                    cluster.Faults.FailRequests(code, Number("count", 1));
                    break;
                case (["forbid" or "allow"] action, "POST"):
                    // {"verb": "list", "group": "networking.k8s.io", "resource": "ingresses"}: answer 403 (or stop).
                    var (verb, group, resource) = (Text("verb"), body["group"]?.GetValue<string>() ?? query["group"].ToString(), Text("resource"));
                    if (action[0] == "forbid")
                    {
                        cluster.Faults.Forbidden.Deny(verb, group, resource);
                    }
                    else
                    {
                        cluster.Faults.Forbidden.Allow(verb, group, resource);
                    }

                    break;
                case (["drop-watches"], "POST"):
                    cluster.Faults.DropWatches();
                    break;
                case (["gateway", "stop"], "POST"):
                    await cluster.Gateway.StopAsync();
                    break;
                case (["gateway", "start"], "POST"):
                    await cluster.Gateway.StartAsync(0, context.RequestAborted);
                    break;
                case (["gateway", "blackhole"], "POST"):
                    await cluster.Gateway.BlackholeAsync(context.RequestAborted);
                    break;
                case (["workloads", var ns, var deployment, "fault"], "POST"):
                    cluster.Faults.Workloads.Set(ns, deployment, ReadWorkloadFault(body));
                    break;
                case (["compact"], "POST"):
                    cluster.Store.Compact();
                    break;
                case (["reset"], "POST"):
                    cluster.Faults.Reset();
                    await cluster.GoOnlineAsync(context.RequestAborted);
                    if (cluster.Gateway.Port != 0 && cluster.Gateway.State != GatewayState.Serving)
                    {
                        await cluster.Gateway.StartAsync(0, context.RequestAborted);
                    }

                    break;
                default:
                    throw new ApiException(404, "NotFound", $"unknown control action '{string.Join('/', segments[2..])}' for {method}");
            }

            await ResourceHandler.WriteJsonAsync(context, 200, Describe(cluster));
        }
        catch (ApiException ex)
        {
            await ResourceHandler.WriteJsonAsync(context, ex.Code, ex.ToStatus());
        }
    }

    private static WorkloadFault ReadWorkloadFault(JsonObject body)
    {
        try
        {
            return WorkloadFault.FromJson(body);
        }
        catch (ArgumentException ex)
        {
            throw ApiException.BadRequest($"workload fault: {ex.Message}");
        }
    }

    private static double? JsonTreeNumber(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static JsonObject Describe(SandboxCluster cluster) => new()
    {
        ["name"] = cluster.Name,
        ["server"] = cluster.Server.ToString().TrimEnd('/'),
        ["resourceVersion"] = cluster.Store.Revision,
        ["compactedRevision"] = cluster.Store.CompactedRevision,
        ["faults"] = cluster.Faults.Describe(),
        ["gateway"] = new JsonObject
        {
            ["address"] = cluster.Gateway.EndPoint?.ToString(),
            ["state"] = cluster.Gateway.State.ToString().ToLowerInvariant(),
            ["upstream"] = cluster.Gateway.Upstream?.ToString(),
        },
        ["clientProxy"] = cluster.ClientProxy?.ToString(),
        ["clustersetDns"] = cluster.ClustersetDns?.ToString(),
        ["pods"] = cluster.PodServers.Count,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
