using System.Globalization;
using System.Text;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c> for pods the container kubelet runs: the container's log as
/// the kubelet serves it (container, previous, follow, tailLines, timestamps, sinceSeconds, sinceTime, limitBytes),
/// with the kubelet's errors for a missing container name, a container still waiting, or no previous instance.
/// </summary>
public sealed class PodLogHandler(SandboxCluster cluster)
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(100);

    public static bool Handles(RequestTarget target) =>
        target is { Group: "", Version: "v1", Resource: "pods", Subresource: "log", Namespace: not null, Name: not null };

    /// <summary>Serves the log; false when the pod is not one the kubelet runs (the simulation has no logs).</summary>
    public async Task<bool> TryHandleAsync(HttpContext context, RequestTarget target)
    {
        var pod = cluster.Store.Get("pods", target.Namespace!, target.Name!) ?? throw ApiException.NotFound("", "pods", target.Name!);
        if (!cluster.Kubelet.Runs(pod))
        {
            return false;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method})");
        }

        var query = context.Request.Query;
        var podName = target.Name!;
        var worker = cluster.Kubelet.Worker(pod["metadata"]?["uid"]?.GetValue<string>() ?? "");
        var containerName = query["container"].FirstOrDefault() is { Length: > 0 } c ? c : null;
        var names = (pod["spec"]?["containers"] as System.Text.Json.Nodes.JsonArray ?? []).Select(n => n?["name"]?.GetValue<string>()).ToList();
        var initNames = (pod["spec"]?["initContainers"] as System.Text.Json.Nodes.JsonArray ?? []).Select(n => n?["name"]?.GetValue<string>()).ToList();
        if (containerName is null && names.Count != 1)
        {
            throw ApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', names)}]"
                + (initNames.Count > 0 ? $" or one of the init containers: [{string.Join(' ', initNames)}]" : ""));
        }

        containerName ??= names[0];
        if (!names.Contains(containerName) && !initNames.Contains(containerName))
        {
            throw ApiException.BadRequest($"container {containerName} is not valid for pod {podName}");
        }

        var record = worker?.Find(containerName);
        var previous = Flag(query["previous"].FirstOrDefault());
        var instance = record is null ? null : Choose(record, previous);
        if (instance is null)
        {
            var waiting = record?.State["waiting"]?["reason"]?.GetValue<string>() ?? "ContainerCreating";
            throw ApiException.BadRequest(previous
                ? $"previous terminated container \"{containerName}\" in pod \"{podName}\" not found"
                : $"container \"{containerName}\" in pod \"{podName}\" is waiting to start: {waiting}");
        }

        var timestamps = Flag(query["timestamps"].FirstOrDefault());
        var tail = long.TryParse(query["tailLines"].FirstOrDefault(), CultureInfo.InvariantCulture, out var t) ? t : -1;
        long? limit = long.TryParse(query["limitBytes"].FirstOrDefault(), CultureInfo.InvariantCulture, out var l) ? l : null;
        DateTimeOffset? since = long.TryParse(query["sinceSeconds"].FirstOrDefault(), CultureInfo.InvariantCulture, out var s) ? DateTimeOffset.UtcNow.AddSeconds(-s)
            : DateTimeOffset.TryParse(query["sinceTime"].FirstOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var st) ? st : null;
        var follow = Flag(query["follow"].FirstOrDefault()) && !previous;

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var written = 0L;
        async Task<bool> WriteAsync(ContainerLogLine line)
        {
            if (since is { } from && line.Time < from)
            {
                return true;
            }

            var bytes = Encoding.UTF8.GetBytes(line.Render(timestamps));
            if (limit is { } max && written + bytes.Length > max)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, (int)(max - written)), context.RequestAborted);
                return false;
            }

            written += bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            return true;
        }

        var (lines, offset) = Read(instance.LogPath, 0);
        foreach (var line in tail >= 0 ? lines.Skip(Math.Max(0, lines.Count - (int)tail)) : lines)
        {
            if (!await WriteAsync(line))
            {
                return true;
            }
        }

        await context.Response.Body.FlushAsync(context.RequestAborted);
        while (follow && !context.RequestAborted.IsCancellationRequested)
        {
            var exited = instance.Exited.IsCompleted;
            (lines, offset) = Read(instance.LogPath, offset);
            foreach (var line in lines)
            {
                if (!await WriteAsync(line))
                {
                    return true;
                }
            }

            if (lines.Count > 0)
            {
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            if (exited)
            {
                break;
            }

            await Task.WhenAny(instance.Exited, Task.Delay(FollowPoll, context.RequestAborted));
        }

        return true;
    }

    /// <summary>The instance whose log the kubelet serves: the running (or last) one, or with previous the one lastState names.</summary>
    private static ContainerInstance? Choose(ContainerRecord record, bool previous)
    {
        var lastId = record.LastState?["terminated"]?["containerID"]?.GetValue<string>();
        var last = record.Instances.FirstOrDefault(i => $"runc://{i.Id}" == lastId);
        if (previous)
        {
            return last;
        }

        return record.Current ?? (record.State["terminated"] is not null ? record.Previous : last);
    }

    /// <summary>The complete lines written after <paramref name="offset"/>, and where the next read starts.</summary>
    private static (List<ContainerLogLine> Lines, long Offset) Read(string path, long offset)
    {
        var lines = new List<ContainerLogLine>();
        if (!File.Exists(path))
        {
            return (lines, offset);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length <= offset)
        {
            return (lines, offset);
        }

        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[file.Length - offset];
        file.ReadExactly(buffer);
        var end = Array.LastIndexOf(buffer, (byte)'\n');
        if (end < 0)
        {
            return (lines, offset);
        }

        foreach (var text in Encoding.UTF8.GetString(buffer, 0, end).Split('\n'))
        {
            if (ContainerLogLine.Parse(text) is { } line)
            {
                lines.Add(line);
            }
        }

        return (lines, offset + end + 1);
    }

    private static bool Flag(string? value) => value is "1" or "true" or "True";
}
