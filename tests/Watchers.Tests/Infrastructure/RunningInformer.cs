using ErieCanal.Orleans.Watchers.Informers;
using Microsoft.Extensions.Logging;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>An informer running in the background for one test; disposing stops it and checks it stopped cleanly.</summary>
public sealed class RunningInformer<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public RunningInformer(IResourceSource<T> source, InformerOptions options, ILogger logger, RecordingHandler<T>? handler = null)
    {
        Handler = handler ?? new RecordingHandler<T>();
        Informer = new ResourceInformer<T>(source, Handler, options, logger);
        _run = Task.Run(() => Informer.RunAsync(_stop.Token));
    }

    /// <summary>Short timings so failures and recoveries happen within a test's patience.</summary>
    public static InformerOptions FastOptions { get; } = new()
    {
        WatchTimeout = TimeSpan.FromSeconds(30),
        Watchdog = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    public ResourceInformer<T> Informer { get; }

    public RecordingHandler<T> Handler { get; }

    public bool Has(string name) => Informer.Snapshot().Any(o => o.Metadata.Name == name);

    public Task SyncedAsync() => Eventually.Until(() => Informer.Synced, "the informer synced");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();

        // RunAsync ends quietly on cancellation; an exception here is a bug the test must see.
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
