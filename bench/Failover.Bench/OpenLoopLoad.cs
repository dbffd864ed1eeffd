using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// Open loop: request i is due at start + i / rate and is sent then whether or not earlier ones finished, to the
/// services in turn, through one HTTP proxy (the consumer's client-side proxy, absolute-form http://svc.ns:port/).
/// Each request is recorded when it ends; a request still open after the timeout is cancelled and counts as failed.
/// </summary>
public sealed class OpenLoopLoad : IAsyncDisposable
{
    private readonly IReadOnlyList<BenchService> _services;
    private readonly IReadOnlyList<Uri> _urls;
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly double _interval;
    private readonly ConcurrentQueue<RequestRecord> _records = new();
    private readonly ConcurrentDictionary<(int Service, string Member), long> _lastAnswered = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _dispatcher;
    private int _inFlight = 1; // the dispatcher's own hold, released when it stops
    private long _late;

    private OpenLoopLoad(Uri proxy, IReadOnlyList<BenchService> services, int rate, TimeSpan timeout)
    {
        _services = services;
        _urls = [.. services.Select(FailoverTopology.ServiceUrl)];
        _timeout = timeout;
        _interval = (double)Stopwatch.Frequency / rate;
        _client = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new WebProxy(proxy),
            UseProxy = true,
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // A thread of its own, so the schedule does not wait for a thread-pool thread that the requests keep busy.
        _dispatcher = new Thread(Dispatch) { IsBackground = true, Name = "open-loop dispatcher", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>Requests sent more than 10 ms after they were due (the dispatcher fell behind; their latency still counts from when due).</summary>
    public long LateDispatches => Interlocked.Read(ref _late);

    public static OpenLoopLoad Start(Uri proxy, IReadOnlyList<BenchService> services, int rate, TimeSpan timeout)
    {
        var load = new OpenLoopLoad(proxy, services, rate, timeout);
        load._dispatcher.Start();
        return load;
    }

    /// <summary>Sends one request per service through the proxy, outside the schedule (for the setup's checks).</summary>
    public static async Task<RequestRecord[]> ProbeAsync(Uri proxy, IReadOnlyList<BenchService> services, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var load = new OpenLoopLoad(proxy, services, 1, timeout);
        return await Task.WhenAll(services.Select((_, i) => load.SendAsync(i, Stopwatch.GetTimestamp(), cancellationToken)));
    }

    /// <summary>When the latest request sent at or after <paramref name="since"/> was answered by a pod of <paramref name="member"/>; null if none yet.</summary>
    public long? AnsweredSince(int service, string member, long since) =>
        _lastAnswered.TryGetValue((service, member), out var at) && at >= since ? at : null;

    /// <summary>Every request that has ended so far.</summary>
    public IReadOnlyList<RequestRecord> Records => [.. _records];

    /// <summary>Stops sending and waits (at most <paramref name="drain"/>) for the requests in flight to end.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        await _stop.CancelAsync();
        await _drained.Task.WaitAsync(drain);
    }

    private void Dispatch()
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            for (long i = 0; !_stop.IsCancellationRequested; i++)
            {
                var due = start + (long)(i * _interval);
                PreciseWait.Until(due);
                if (Stopwatch.GetElapsedTime(due) > TimeSpan.FromMilliseconds(10))
                {
                    Interlocked.Increment(ref _late);
                }

                Interlocked.Increment(ref _inFlight);
                _ = RecordAsync((int)(i % _services.Count), due);
            }
        }
        finally
        {
            Release();
        }
    }

    private async Task RecordAsync(int service, long due)
    {
        try
        {
            var record = await SendAsync(service, due, CancellationToken.None);
            _records.Enqueue(record);
            if (record is { Succeeded: true, Member: { } member })
            {
                // Keyed by when the request was sent: "answered after the heal" means sent after it too.
                _lastAnswered.AddOrUpdate((service, member), record.Start, (_, before) => Math.Max(before, record.Start));
            }
        }
        finally
        {
            Release();
        }
    }

    private async Task<RequestRecord> SendAsync(int service, long due, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (_timeout - Stopwatch.GetElapsedTime(due)).Ticks)));
        try
        {
            using var response = await _client.GetAsync(_urls[service], timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            var member = _services[service].MemberOf(body);
            var failure = !response.IsSuccessStatusCode ? $"HTTP {status}" : member is null ? "not answered by a pod" : null;
            return new RequestRecord(service, due, Stopwatch.GetTimestamp(), status, failure, member);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RequestRecord(service, due, Stopwatch.GetTimestamp(), 0, "timeout", null);
        }
        catch (HttpRequestException ex)
        {
            return new RequestRecord(service, due, Stopwatch.GetTimestamp(), 0, $"{ex.HttpRequestError}", null);
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dispatcher.IsAlive)
        {
            await _stop.CancelAsync();
            _dispatcher.Join();
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
