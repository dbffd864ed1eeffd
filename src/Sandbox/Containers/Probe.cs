using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// One probe of a container (startup, readiness or liveness) with its timing as the API defaults it: httpGet to the
/// pod IP (2xx and 3xx succeed), tcpSocket (a connection succeeds), exec (<c>runc exec</c>, exit 0 succeeds).
/// </summary>
public sealed class Probe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    private readonly JsonObject _probe;
    private readonly JsonObject _container;

    public Probe(JsonObject probe, JsonObject container)
    {
        _probe = probe;
        _container = container;
        InitialDelay = TimeSpan.FromSeconds(JsonTree.GetInt64(probe, "initialDelaySeconds") ?? 0);
        Period = TimeSpan.FromSeconds(Math.Max(1, JsonTree.GetInt64(probe, "periodSeconds") ?? 10));
        Timeout = TimeSpan.FromSeconds(Math.Max(1, JsonTree.GetInt64(probe, "timeoutSeconds") ?? 1));
        FailureThreshold = (int)Math.Max(1, JsonTree.GetInt64(probe, "failureThreshold") ?? 3);
        SuccessThreshold = (int)Math.Max(1, JsonTree.GetInt64(probe, "successThreshold") ?? 1);
    }

    public TimeSpan InitialDelay { get; }

    public TimeSpan Period { get; }

    public TimeSpan Timeout { get; }

    public int FailureThreshold { get; }

    public int SuccessThreshold { get; }

    /// <summary>Runs the probe once; null on success, else why it failed (the kubelet's event message).</summary>
    public async Task<string?> RunAsync(string podIp, Runc runc, string containerId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            if (_probe["httpGet"] is JsonObject http)
            {
                var host = http["host"]?.GetValue<string>() is { Length: > 0 } h ? h : podIp;
                var scheme = (http["scheme"]?.GetValue<string>() ?? "HTTP").ToLowerInvariant();
                var path = http["path"]?.GetValue<string>() ?? "/";
                var uri = new Uri($"{scheme}://{host}:{Port(http["port"])}{(path.StartsWith('/') ? path : "/" + path)}");
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.UserAgent.ParseAdd("kube-probe/1.32");
                foreach (var header in (http["httpHeaders"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    request.Headers.TryAddWithoutValidation(header["name"]?.GetValue<string>() ?? "", header["value"]?.GetValue<string>());
                }

                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400 ? null : $"HTTP probe failed with statuscode: {code}";
            }

            if (_probe["tcpSocket"] is JsonObject tcp)
            {
                var host = tcp["host"]?.GetValue<string>() is { Length: > 0 } h ? h : podIp;
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Parse(host), Port(tcp["port"]), timeout.Token);
                return null;
            }

            if (_probe["exec"]?["command"] is JsonArray command)
            {
                var output = new System.Text.StringBuilder();
                ValueTask Collect(ReadOnlyMemory<byte> data, CancellationToken _)
                {
                    lock (output)
                    {
                        output.Append(System.Text.Encoding.UTF8.GetString(data.Span));
                    }

                    return ValueTask.CompletedTask;
                }

                var exit = await runc.ExecAsync(containerId, command.Select(c => c?.GetValue<string>() ?? "").ToList(), Collect, Collect, timeout.Token);
                return exit == 0 ? null : $"command {string.Join(' ', command.Select(c => c?.GetValue<string>()))} exited with {exit}: {output}".TrimEnd();
            }

            return "the probe has no handler the sandbox supports (httpGet, tcpSocket, exec)";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"probe timed out after {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or FormatException)
        {
            return ex.Message;
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private int Port(JsonNode? port)
    {
        if (port is JsonValue value && value.TryGetValue<long>(out var number))
        {
            return (int)number;
        }

        var name = port?.ToString() ?? "";
        if (int.TryParse(name, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return (_container["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["name"]?.GetValue<string>() == name)
            .Select(p => (int)(JsonTree.GetInt64(p, "containerPort") ?? 0)).FirstOrDefault();
    }
}
