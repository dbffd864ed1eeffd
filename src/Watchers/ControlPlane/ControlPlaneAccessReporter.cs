using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using k8s;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>
/// Tells the operator when the control plane refuses this silo's own ServiceAccount the watch of Cluster objects (a
/// rule missing from the chart's ClusterRole): a Warning Event on the silo's Pod naming the verb and resource, in the
/// API server's words, and a Normal one when access is back. Events only on transitions, never per retry; sent on a
/// keyed queue (the one retry contract). Outside a pod (no POD_NAME / POD_NAMESPACE) only the log line says it.
/// </summary>
public sealed partial class ControlPlaneAccessReporter
{
    private const string Key = "pod-event";

    private readonly Func<IKubernetes> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyedWorkQueue<string> _queue;
    private readonly Lock _gate = new();
    private readonly (string Namespace, string Name)? _pod;
    private string? _refusal;
    private (bool Forbidden, string Message)? _pending;

    public ControlPlaneAccessReporter(Func<IKubernetes> client, RetryOptions retry, TimeProvider time, ILogger logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
        _queue = new KeyedWorkQueue<string>(retry, time, logger, "control-plane access Events");
        _pod = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns && Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } name ? (ns, name) : null;
    }

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(1, SendAsync, cancellationToken);

    /// <summary>The watch of Clusters failed with <paramref name="error"/>, or made progress (null).</summary>
    public void Observe(Exception? error)
    {
        var refusal = error is k8s.Autorest.HttpOperationException op && ApiErrors.IsForbidden(op) ? ApiErrors.Refusal(op) : null;
        lock (_gate)
        {
            if (refusal == _refusal || (refusal is null && error is not null))
            {
                // Unchanged, or another kind of failure (the informer logs those).
                return;
            }

            if (refusal is not null)
            {
                LogForbidden(refusal);
                _pending = (true, $"the control plane refuses this silo's ServiceAccount: {refusal}; the chart's ClusterRole grants it, restore the rule");
            }
            else
            {
                LogAllowed();
                _pending = (false, "the control plane allows this silo's ServiceAccount the watch of Cluster objects again");
            }

            _refusal = refusal;
        }

        if (_pod is not null)
        {
            _queue.Add(Key);
        }
    }

    private async Task SendAsync(string key, CancellationToken cancellationToken)
    {
        (bool Forbidden, string Message)? pending;
        lock (_gate)
        {
            pending = _pending;
        }

        if (pending is not { } p || _pod is not { } pod)
        {
            return;
        }

        await KubeEvents.RecordAsync(_client(), "v1", "Pod", pod.Namespace, pod.Name, uid: null, p.Forbidden, p.Forbidden ? "Forbidden" : "AccessRestored", p.Message, cancellationToken, _time);
        lock (_gate)
        {
            if (_pending == pending)
            {
                _pending = null;
            }
        }
    }

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "The control plane refuses this silo's ServiceAccount ({Refusal}); the silo stays up but not ready, retrying with backoff. The chart's ClusterRole grants this: restore the rule")]
    private partial void LogForbidden(string refusal);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "The control plane allows this silo's ServiceAccount the watch of Cluster objects again")]
    private partial void LogAllowed();
}
