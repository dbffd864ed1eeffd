using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Faults;

/// <summary>
/// The fault state of one cluster: offline (connections refused), frozen (accepted, never answered), added
/// latency, failing the next N requests, dropping open watches; and the faults of its workloads' pods. Tests,
/// benchmarks and the control API drive it.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _thaw = NewThaw(completed: true);
    private CancellationTokenSource _watches = new();
    private int _failRemaining;
    private int _failCode;
    private TimeSpan _latency;

    public bool Frozen { get; private set; }

    public bool Offline { get; internal set; }

    /// <summary>Per-Deployment faults of the pods that answer HTTP.</summary>
    public WorkloadFaults Workloads { get; } = new();

    /// <summary>Verbs on resources answered 403, as if the caller's role lacked them.</summary>
    public ForbiddenRules Forbidden { get; } = new();

    public TimeSpan Latency
    {
        get
        {
            lock (_gate)
            {
                return _latency;
            }
        }

        set
        {
            lock (_gate)
            {
                _latency = value < TimeSpan.Zero ? TimeSpan.Zero : value;
            }
        }
    }

    /// <summary>Cancelled when watches are dropped; every open watch links to it.</summary>
    public CancellationToken WatchesToken
    {
        get
        {
            lock (_gate)
            {
                return _watches.Token;
            }
        }
    }

    public void Freeze()
    {
        lock (_gate)
        {
            if (!Frozen)
            {
                Frozen = true;
                _thaw = NewThaw(completed: false);
            }
        }
    }

    public void Thaw()
    {
        lock (_gate)
        {
            Frozen = false;
            _thaw.TrySetResult();
        }
    }

    public Task WaitIfFrozenAsync(CancellationToken cancellationToken)
    {
        Task thaw;
        lock (_gate)
        {
            thaw = _thaw.Task;
        }

        return thaw.IsCompleted ? Task.CompletedTask : thaw.WaitAsync(cancellationToken);
    }

    /// <summary>Fails the next <paramref name="count"/> requests with <paramref name="code"/>; count 0 fails until cleared.</summary>
    public void FailRequests(int code, int count)
    {
        if (code is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "status code must be 4xx or 5xx");
        }

        lock (_gate)
        {
            _failCode = code;
            _failRemaining = count <= 0 ? -1 : count;
        }
    }

    /// <summary>The status code the current request must fail with, if a failure is armed.</summary>
    public int? TakeFailure()
    {
        lock (_gate)
        {
            if (_failRemaining == 0)
            {
                return null;
            }

            if (_failRemaining > 0)
            {
                _failRemaining--;
            }

            return _failCode;
        }
    }

    public void DropWatches()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _watches;
            _watches = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    /// <summary>Clears freeze, latency, armed failures and workload faults (not offline: that is the host's to undo).</summary>
    public void Reset()
    {
        Thaw();
        Workloads.Clear();
        Forbidden.Clear();
        lock (_gate)
        {
            _latency = TimeSpan.Zero;
            _failRemaining = 0;
        }
    }

    public JsonObject Describe()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["offline"] = Offline,
                ["frozen"] = Frozen,
                ["latencyMs"] = (int)_latency.TotalMilliseconds,
                ["failCode"] = _failRemaining == 0 ? null : _failCode,
                ["failRemaining"] = _failRemaining == 0 ? null : _failRemaining,
                ["workloads"] = Workloads.Describe(),
                ["forbidden"] = Forbidden.Describe(),
                ["hangingRequests"] = Workloads.HangingRequests,
            };
        }
    }

    private static TaskCompletionSource NewThaw(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }
}
