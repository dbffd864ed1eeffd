using System.Net;

namespace ErieCanal.Orleans.Integration.Tests.Deployment;

/// <summary>
/// Requests sent without pause through a member's client-side proxy (as a pod's HTTP client configured with it
/// would), counting every request and every failure (an exception or a status other than 200).
/// </summary>
internal sealed class TrafficLoop : IDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _failures = [];
    private int _requests;

    public TrafficLoop(Uri proxy, Uri target)
    {
        _http = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(proxy), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(10) };
        _loop = Task.Run(() => RunAsync(target));
    }

    public (int Requests, IReadOnlyList<string> Failures) Stop()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        lock (_failures)
        {
            return (_requests, [.. _failures]);
        }
    }

    private async Task RunAsync(Uri target)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync(target, _stop.Token);
                Interlocked.Increment(ref _requests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"HTTP {(int)response.StatusCode}");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _requests);
                Fail(ex.Message);
            }
        }
    }

    private void Fail(string what)
    {
        lock (_failures)
        {
            _failures.Add(what);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Dispose();
        _stop.Dispose();
    }
}
