using System.Net;
using System.Net.Sockets;
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
        HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } op => ("Forbidden", $"the member's API server refused access (403): {Short(op.Response.Content)}"),
        HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized } => ("Unauthorized", "the member's API server did not accept the kubeconfig's credentials (401)"),
        HttpOperationException op => ("ApiError", $"the member's API server answered {(int)op.Response.StatusCode}: {Short(op.Response.Content)}"),
        HttpRequestException { InnerException: SocketException socket } => ("Unreachable", $"cannot connect to the member's API server: {socket.SocketErrorCode}"),
        HttpRequestException http => ("Unreachable", $"cannot reach the member's API server: {http.Message}"),
        TaskCanceledException or TimeoutException or OperationCanceledException => ("Unreachable", "the member's API server did not answer in time"),
        IOException io => ("Unreachable", $"the connection to the member's API server broke: {io.Message}"),
        _ => ("Error", ex.Message),
    };

    private static string Short(string? content) => content is null ? "" : content.Length > 300 ? content[..300] + "…" : content;
}
