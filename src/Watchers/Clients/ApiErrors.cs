using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using k8s.Autorest;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>Classifies client errors into the reasons conditions report.</summary>
public static class ApiErrors
{
    public static bool IsNotFound(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    public static bool IsConflict(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    public static bool IsForbidden(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden };

    public static bool IsUnauthorized(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized };

    /// <summary>A condition reason and message for a failure to reach or use a cluster.</summary>
    public static (string Reason, string Message) Describe(Exception ex) => ex switch
    {
        InvalidKubeconfigException => ("InvalidKubeconfig", ex.Message),
        ControlPlaneForbiddenException => ("Forbidden", ex.Message),
        HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } op => ("Forbidden", $"the member's API server refused access (403): {Refusal(op)}"),
        HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized } => ("Unauthorized", "the member's API server did not accept the kubeconfig's credentials (401)"),
        HttpOperationException op => ("ApiError", $"the member's API server answered {(int)op.Response.StatusCode}: {Short(op.Response.Content)}"),
        HttpRequestException { InnerException: SocketException socket } => ("Unreachable", $"cannot connect to the member's API server: {socket.SocketErrorCode}"),
        HttpRequestException http => ("Unreachable", $"cannot reach the member's API server: {http.Message}"),
        TaskCanceledException or TimeoutException or OperationCanceledException => ("Unreachable", "the member's API server did not answer in time"),
        IOException io => ("Unreachable", $"the connection to the member's API server broke: {io.Message}"),
        _ => ("Error", ex.Message),
    };

    /// <summary>A failure in a log line: a refusal in the API server's words (which name the verb and resource), else the exception's message.</summary>
    public static string Brief(Exception ex) =>
        ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } op ? $"403 Forbidden: {Refusal(op)}" : ex.Message;

    /// <summary>
    /// Why a 403 was given: the Status message kube-apiserver's authorizer writes (e.g. <c>ingresses.networking.k8s.io
    /// is forbidden: User "x" cannot list resource "ingresses" in API group "networking.k8s.io" at the cluster
    /// scope</c>), else the request's method and path.
    /// </summary>
    public static string Refusal(HttpOperationException op)
    {
        try
        {
            if (op.Response.Content is { Length: > 0 } content
                && JsonDocument.Parse(content).RootElement is { ValueKind: JsonValueKind.Object } status
                && status.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                return Short(text);
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's page, say): fall back to the request.
        }

        return op.Request is { } request ? $"{request.Method} {request.RequestUri?.AbsolutePath} is forbidden" : Short(op.Response.Content);
    }

    private static string Short(string? content) => content is null ? "" : content.Length > 300 ? content[..300] + "…" : content;
}
