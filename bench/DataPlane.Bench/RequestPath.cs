using System.Net;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// One way of getting <c>GET</c> answered by an httpbin pod: straight to the pods (the floor), or through all or part
/// of the data plane. Each path has a client (and connection pool) of its own; an answer counts only when it is a 200
/// whose body is the name of one of the pods and a newline, as the seed's pipy script answers.
/// </summary>
public sealed class RequestPath : IDisposable
{
    private readonly HttpClient _client;
    private readonly IReadOnlyList<Uri> _targets;
    private readonly string? _host;
    private readonly HashSet<string> _answers;
    private int _next = -1;

    private RequestPath(string name, PathRole role, HttpClient client, IReadOnlyList<Uri> targets, string? host, IEnumerable<string> podNames)
    {
        Name = name;
        Role = role;
        _client = client;
        _targets = targets;
        _host = host;
        _answers = [.. podNames.Select(n => n + "\n")];
    }

    public string Name { get; }

    public PathRole Role { get; }

    /// <summary>Requests sent as given, round-robin over <paramref name="targets"/>; <paramref name="host"/> replaces the Host header.</summary>
    public static RequestPath Direct(string name, PathRole role, IReadOnlyList<Uri> targets, string? host, IEnumerable<string> podNames, TimeSpan timeout) =>
        new(name, role, new HttpClient(Handler(null), disposeHandler: true) { Timeout = timeout }, targets, host, podNames);

    /// <summary>Absolute-form requests for <paramref name="target"/> sent to the explicit HTTP proxy at <paramref name="proxy"/>, as curl -x does.</summary>
    public static RequestPath ViaProxy(string name, PathRole role, Uri proxy, Uri target, IEnumerable<string> podNames, TimeSpan timeout) =>
        new(name, role, new HttpClient(Handler(new WebProxy(proxy)), disposeHandler: true) { Timeout = timeout }, [target], null, podNames);

    private static SocketsHttpHandler Handler(IWebProxy? proxy) => new()
    {
        Proxy = proxy,
        UseProxy = proxy is not null,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ActivityHeadersPropagator = null,
    };

    /// <summary>Sends one request; null when it was answered by a pod, otherwise what went wrong.</summary>
    public async Task<string?> SendAsync(CancellationToken cancellationToken)
    {
        var target = _targets[(int)((uint)Interlocked.Increment(ref _next) % (uint)_targets.Count)];
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (_host is not null)
        {
            request.Headers.Host = _host;
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && _answers.Contains(body)
            ? null
            : $"{(int)response.StatusCode} {body.Trim()}";
    }

    public void Dispose() => _client.Dispose();
}
