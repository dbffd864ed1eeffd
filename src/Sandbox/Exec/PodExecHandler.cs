using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// <c>GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec</c>: checks the pod and container as kube-apiserver and
/// the kubelet do, then runs the command in the simulated container over a WebSocket (the protocol kubectl 1.30+
/// speaks by default). SPDY, which this sandbox does not serve, and plain requests get a 400 Status.
/// </summary>
public sealed class PodExecHandler(SandboxCluster cluster)
{
    public static bool Handles(RequestTarget target) =>
        target is { Group: "", Version: "v1", Resource: "pods", Subresource: "exec", Namespace: not null, Name: not null };

    public async Task HandleAsync(HttpContext context, RequestTarget target)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method})");
        }

        var ns = target.Namespace!;
        var podName = target.Name!;
        var pod = cluster.Store.Get("pods", ns, podName) ?? throw ApiException.NotFound("", "pods", podName);
        var request = ExecRequest.Parse(context.Request.Query);
        var container = Container(pod, podName, request.Container);
        EnsureRunning(pod, container);

        if (!context.WebSockets.IsWebSocketRequest)
        {
            var spdy = context.Request.Headers.Upgrade.ToString().Contains("SPDY", StringComparison.OrdinalIgnoreCase);
            throw ApiException.BadRequest(spdy
                ? $"Upgrade request required: this sandbox serves exec over WebSockets ({string.Join(", ", ExecChannels.Protocols)}), not SPDY"
                : "Upgrade request required");
        }

        var protocol = ExecChannels.Protocols.FirstOrDefault(p => context.WebSockets.WebSocketRequestedProtocols.Contains(p))
            ?? throw ApiException.BadRequest(
                $"none of the requested subprotocols [{string.Join(", ", context.WebSockets.WebSocketRequestedProtocols)}] is supported; this sandbox speaks {string.Join(", ", ExecChannels.Protocols)}");

        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        await using var channels = new ExecChannels(socket, request, context.RequestAborted);
        try
        {
            var exitCode = await RunAsync(pod, container, request, channels);
            await channels.FinishAsync(ExecStatus.For(exitCode, request.Command), channels.ClientGone);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away mid-command: nobody is left to tell.
        }
        catch (Exception ex)
        {
            // A bug in a simulated program: the client gets a Status that says so (kubectl prints it), never a torn connection.
            var status = ApiException.BuildStatus(500, "InternalError", $"the sandbox failed to run the command: {ex.Message}", null);
            await channels.FinishAsync(status, channels.ClientGone);
        }
    }

    private async Task<int> RunAsync(JsonObject pod, JsonObject container, ExecRequest request, ExecChannels channels)
    {
        if (cluster.Kubelet.Runs(pod))
        {
            // A real container: the real program runs in it.
            var instance = cluster.Kubelet.Worker(pod["metadata"]?["uid"]?.GetValue<string>() ?? "")?.Find(container["name"]?.GetValue<string>())?.Current
                ?? throw ApiException.BadRequest($"unable to upgrade connection: container not found (\"{container["name"]}\")");
            return await cluster.Kubelet.Runc.ExecAsync(instance.Id, request.Command, channels.Stdout.WriteAsync, channels.Stderr.WriteAsync, channels.ClientGone,
                request.Stdin ? channels.Stdin : null);
        }

        var executable = request.Command[0];
        var image = container["image"]?.GetValue<string>() ?? "";
        if (ContainerImage.Find(image, executable) is not { } program)
        {
            await channels.Stderr.WriteAsync(ContainerImage.NotFoundMessage(executable) + "\r\n", channels.ClientGone);
            return ContainerImage.NotFoundExitCode;
        }

        var network = new PodNetwork(cluster, pod["metadata"]?["namespace"]?.GetValue<string>() ?? "", pod["status"]?["podIP"]?.GetValue<string>());
        var process = new ContainerProcess(request.Command.Skip(1).ToList(), channels.Stdout, channels.Stderr, network) { Environment = EnvironmentOf(container) };
        return Math.Clamp(await program.RunAsync(process, channels.ClientGone), 0, 255);
    }

    // The container's literal env values (valueFrom is not resolved for simulated programs), later entries winning as in the kubelet.
    private static Dictionary<string, string> EnvironmentOf(JsonObject container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (entry["name"]?.GetValue<string>() is { Length: > 0 } name && entry["value"] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                environment[name] = text;
            }
        }

        return environment;
    }

    private static JsonObject Container(JsonObject pod, string podName, string? name)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (name is null)
        {
            return containers.Count == 1
                ? containers[0]
                : throw ApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', containers.Select(c => c["name"]?.GetValue<string>()))}]");
        }

        return containers.FirstOrDefault(c => c["name"]?.GetValue<string>() == name)
            ?? throw ApiException.BadRequest($"container {name} is not valid for pod {podName}");
    }

    private static void EnsureRunning(JsonObject pod, JsonObject container)
    {
        var phase = pod["status"]?["phase"]?.GetValue<string>();
        if (phase is "Succeeded" or "Failed")
        {
            throw ApiException.BadRequest($"cannot exec into a container in a completed pod; current phase is {phase}");
        }

        var name = container["name"]?.GetValue<string>();
        var status = (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s => s["name"]?.GetValue<string>() == name);
        if (phase != "Running" || status is not null && status["state"]?["running"] is null)
        {
            // What the kubelet answers while the container has not started yet.
            throw ApiException.BadRequest($"unable to upgrade connection: container not found (\"{name}\")");
        }
    }
}
