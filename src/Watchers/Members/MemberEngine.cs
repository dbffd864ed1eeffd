using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using k8s;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// The silo-local engine that carries out the ClusterGrains' decisions (<see cref="MemberWork"/>): it is the one owner
/// of each Cluster object's conditions (through one <see cref="ConditionWriter"/> per member) and writes its Events,
/// masking the member's credentials from every message; it tears down members that left. All of it runs on one
/// <see cref="KeyedWorkQueue{TKey}"/> under the one retry contract: the work throws, the key comes back after its
/// backoff, one log line per failure streak. The newest status decision replaces one not yet written. An Event is
/// dropped after <see cref="EventAttempts"/> attempts: Events are a record for people, the conditions the state.
/// It also resolves each member's cluster id (<see cref="ClusterIdentity"/>) into the silo's <see cref="ClusterIdentities"/>,
/// telling a new or unusable one as an Event on the Cluster object.
/// </summary>
public sealed class MemberEngine : IMemberWorkSink, IAsyncDisposable
{
    public const int EventAttempts = 5;

    private readonly ConcurrentDictionary<string, WriteClusterStatus> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Name, ConditionWriter Writer)> _writers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MemberWorkKey, (RecordClusterEvent Work, int Failures)> _events = new();
    private readonly ConcurrentDictionary<string, MemberTeardown> _teardowns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EnsureClusterIdentity> _identityWork = new(StringComparer.Ordinal);
    private readonly ClusterIdentities _identities;
    private readonly KeyedWorkQueue<MemberWorkKey> _queue;
    private readonly IGrainFactory _grains;
    private readonly ControlPlaneConnection _controlPlane;
    private readonly MemberCredentials _credentials;
    private readonly MemberClients _clients;
    private readonly IngressSweep _sweep;
    private readonly ErieCanalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<Task> _running;
    private long _eventSequence;

    public MemberEngine(IGrainFactory grains, ControlPlaneConnection controlPlane, MemberCredentials credentials, MemberClients clients, IngressSweep sweep, IOptions<ErieCanalOptions> options, TimeProvider time, ILogger<MemberEngine> logger, ClusterIdentities? identities = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _identities = identities ?? new ClusterIdentities();
        _grains = grains;
        _controlPlane = controlPlane;
        _credentials = credentials;
        _clients = clients;
        _sweep = sweep;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = new KeyedWorkQueue<MemberWorkKey>(_options.Retry, time, logger, "member engine");

        // Workers start with the first decision, off its caller's scheduler.
        _running = new Lazy<Task>(() => Task.Run(() => _queue.RunAsync(_options.WriterConcurrency, WorkAsync, _stop.Token)));
    }

    /// <summary>Queued or running work (retries waiting for their backoff not counted).</summary>
    public int Pending => _queue.Pending;

    public void Submit(MemberWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_stop.IsCancellationRequested)
        {
            // The silo is stopping: a later activation decides again.
            return;
        }

        _ = _running.Value;
        var member = work.ClusterKey;
        switch (work)
        {
            case WriteClusterStatus status:
                _status[member] = status;
                _queue.Add(new MemberWorkKey(member, MemberWorkKind.Status));
                break;
            case RecordClusterEvent recorded:
                var key = new MemberWorkKey(member, MemberWorkKind.Event, Interlocked.Increment(ref _eventSequence));
                _events[key] = (recorded, 0);
                _queue.Add(key);
                break;
            case MemberDeactivated:
                _status.TryRemove(member, out _);
                _writers.TryRemove(member, out _);
                break;
            case TearDownMember teardown:
                // The Cluster object is going: its status is nobody's to write any more.
                _status.TryRemove(member, out _);
                _writers.TryRemove(member, out _);
                _identityWork.TryRemove(member, out _);
                _identities.Forget(member);
                _teardowns[member] = new MemberTeardown(teardown, ClientNow(member), _grains, _controlPlane, _sweep, _options.ObservationConcurrency, _logger);
                _queue.Add(new MemberWorkKey(member, MemberWorkKind.Teardown));
                break;
            case EnsureClusterIdentity ensure:
                _identityWork[member] = ensure;
                _queue.Add(new MemberWorkKey(member, MemberWorkKind.Identity));
                break;
            case MemberJoined:
                if (_teardowns.TryRemove(member, out var cancelled))
                {
                    cancelled.Cancel();
                    _logger.TeardownCancelled(member);
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running.IsValueCreated)
        {
            await _running.Value.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    /// <summary>
    /// The member's client as this silo has it now: its credentials go once the watcher's Remove returned, before a
    /// teardown may have reached the member.
    /// </summary>
    private Task<IKubernetes> ClientNow(string clusterKey)
    {
        try
        {
            return _clients.GetAsync(clusterKey);
        }
        catch (Exception ex)
        {
            return Task.FromException<IKubernetes>(ex);
        }
    }

    private async Task WorkAsync(MemberWorkKey key, CancellationToken cancellationToken)
    {
        switch (key.Kind)
        {
            case MemberWorkKind.Status when _status.TryGetValue(key.ClusterKey, out var status):
                await WriteStatusAsync(status, cancellationToken);
                break;
            case MemberWorkKind.Event when _events.TryGetValue(key, out var pending):
                await RecordEventAsync(key, pending.Work, pending.Failures, cancellationToken);
                break;
            case MemberWorkKind.Identity when _identityWork.TryGetValue(key.ClusterKey, out var ensure):
                await EnsureIdentityAsync(ensure, cancellationToken);
                break;
            case MemberWorkKind.Teardown when _teardowns.TryGetValue(key.ClusterKey, out var teardown):
                if (await teardown.RunAsync(message => Redact(key.ClusterKey, message), cancellationToken))
                {
                    _teardowns.TryRemove(KeyValuePair.Create(key.ClusterKey, teardown));
                    _clients.Invalidate(key.ClusterKey);
                }

                break;
        }
    }

    /// <summary>
    /// Reads or creates the member's ClusterProperty (a failure throws: the key comes back after its backoff) and
    /// publishes the id; a created, changed or unusable id is told once as an Event on the Cluster object.
    /// </summary>
    private async Task EnsureIdentityAsync(EnsureClusterIdentity ensure, CancellationToken cancellationToken)
    {
        var client = await _clients.GetAsync(ensure.ClusterKey);
        var result = await ClusterIdentity.EnsureAsync(client, ensure.Name, _options.UpgradeMemberCrds, cancellationToken);
        if (!_identityWork.TryRemove(KeyValuePair.Create(ensure.ClusterKey, ensure)))
        {
            // Newer work (or a teardown) came meanwhile: it decides.
            return;
        }

        var before = _identities.Set(ensure.ClusterKey, result);
        if (before is not null && before.Id == result.Id && before.Reason == result.Reason)
        {
            return;
        }

        if (!result.Usable)
        {
            _logger.ClusterIdUnusable(ensure.ClusterKey, result.Reason, Redact(ensure.ClusterKey, result.Message));
        }

        if (result.Created || !result.Usable || before is not null)
        {
            Submit(new RecordClusterEvent(ensure.ClusterKey, ensure.Name, ensure.Uid, !result.Usable, result.Created ? "ClusterIdCreated" : result.Reason, result.Message));
        }
    }

    private async Task WriteStatusAsync(WriteClusterStatus status, CancellationToken cancellationToken)
    {
        var writer = _writers.AddOrUpdate(status.ClusterKey,
            _ => (status.Name, new ConditionWriter(ClusterResource.Plural, null, status.Name, _time)),
            (_, held) => held.Name == status.Name ? held : (status.Name, new ConditionWriter(ClusterResource.Plural, null, status.Name, _time))).Writer;
        var conditions = status.Conditions.Select(c => c with { Message = Redact(status.ClusterKey, c.Message) }).ToList();
        try
        {
            await writer.WriteAsync(_controlPlane.Client, conditions, new Dictionary<string, JsonNode?>
            {
                ["observedGeneration"] = status.Generation,
                ["clusterKey"] = status.ClusterKey,
            }, cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The Cluster object is being deleted; its removal follows.
        }
    }

    private async Task RecordEventAsync(MemberWorkKey key, RecordClusterEvent recorded, int failures, CancellationToken cancellationToken)
    {
        var message = Redact(recorded.ClusterKey, recorded.Message);
        try
        {
            await KubeEvents.RecordAsync(_controlPlane.Client, "Cluster", null, recorded.Name, recorded.Uid, recorded.Warning, recorded.Reason, message, cancellationToken, _time);
        }
        catch (Exception) when (failures + 1 < EventAttempts && !cancellationToken.IsCancellationRequested)
        {
            _events[key] = (recorded, failures + 1);
            throw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.EventDropped(recorded.ClusterKey, failures + 1, recorded.Reason, Redact(recorded.ClusterKey, ex.Message));
        }

        _events.TryRemove(key, out _);
    }

    /// <summary>A message with the member's credentials, as this silo resolved them, masked (the session masks its own first).</summary>
    private string Redact(string clusterKey, string message) => CredentialRedaction.Redact(message, _credentials.Find(clusterKey)?.Kubeconfig);
}
